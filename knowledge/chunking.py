"""Cut sections into chunks that follow paragraphs, keep heading path and page, and stay small."""

import re
from dataclasses import dataclass

from .extract import Section
from .tokens import estimate_tokens

TARGET_TOKENS = 200  # aim: 120-250 tokens per chunk
MIN_TOKENS = 120
HARD_MAX_TOKENS = 300
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


@dataclass
class ChunkDraft:
    heading: str
    page: int | None
    text: str
    tokens: int


def _split_long(paragraph: str) -> list[str]:
    """Split a paragraph above the hard maximum at sentence ends, then at word boundaries."""
    if estimate_tokens(paragraph) <= HARD_MAX_TOKENS:
        return [paragraph]
    pieces, current = [], ""
    for sentence in _SENTENCE.split(paragraph):
        candidate = f"{current} {sentence}".strip()
        if current and estimate_tokens(candidate) > TARGET_TOKENS:
            pieces.append(current)
            candidate = sentence
        current = candidate
    if current:
        pieces.append(current)
    result = []
    for piece in pieces:
        words = piece.split()
        while estimate_tokens(" ".join(words)) > HARD_MAX_TOKENS:
            cut = len(words) // 2
            while cut < len(words) and estimate_tokens(" ".join(words[:cut])) < TARGET_TOKENS:
                cut += max(1, len(words) // 20)
            result.append(" ".join(words[:cut]))
            words = words[cut:]
        if words:
            result.append(" ".join(words))
    return result


def chunk_sections(sections: list[Section]) -> list[ChunkDraft]:
    """Group each section's paragraphs into ~TARGET_TOKENS chunks, never above the hard max.

    A short section is merged with the next one when both share a page and the result stays
    under the target (its heading path then names the first section).
    """
    drafts: list[ChunkDraft] = []
    for section in sections:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", section.text) if p.strip()]
        if len(paragraphs) == 1 and "\n" in paragraphs[0]:
            paragraphs = [p.strip() for p in paragraphs[0].split("\n") if p.strip()]
        current, size = [], 0
        for paragraph in paragraphs:
            for piece in _split_long(paragraph):
                tokens = estimate_tokens(piece)
                if current and size + tokens > TARGET_TOKENS and size >= MIN_TOKENS // 2:
                    drafts.append(_draft(section, current))
                    current, size = [], 0
                current.append(piece)
                size += tokens
        if current:
            drafts.append(_draft(section, current))
    return _merge_small(drafts)


def _draft(section: Section, parts: list[str]) -> ChunkDraft:
    text = "\n\n".join(parts)
    return ChunkDraft(section.heading, section.page, text, estimate_tokens(text))


def _merge_small(drafts: list[ChunkDraft]) -> list[ChunkDraft]:
    merged: list[ChunkDraft] = []
    for draft in drafts:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.tokens < MIN_TOKENS
            and last.page == draft.page
            and last.tokens + draft.tokens <= TARGET_TOKENS
        ):
            same = not draft.heading or draft.heading == last.heading
            joint = "\n\n" if same else f"\n\n## {draft.heading}\n"
            text = f"{last.text}{joint}{draft.text}"
            merged[-1] = ChunkDraft(last.heading, last.page, text, estimate_tokens(text))
        else:
            merged.append(draft)
    return merged
