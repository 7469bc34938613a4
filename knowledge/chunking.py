"""Cut sections into chunks that follow paragraphs, keep heading path and page, and stay small."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from providers.tokens import estimate_tokens

from .extract import Section

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
        result.extend(_split_words(piece))
    return result


def _fits(text: str, limit: int) -> bool:
    """estimate_tokens(text) <= limit, without reading a long text (a token per 4 letters at
    least)."""
    return len(text) <= 4 * limit and estimate_tokens(text) <= limit


def _longest_fit(parts: Sequence[str], joiner: str) -> int:
    """How many leading parts fit, joined, within TARGET_TOKENS (at least one). The estimate
    grows with every part added, so a binary search finds the cut; no more than 4 parts
    per token can fit (each part is a letter at least)."""
    low, high = 1, min(len(parts), 4 * TARGET_TOKENS)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(joiner.join(parts[:middle]), TARGET_TOKENS):
            low = middle
        else:
            high = middle - 1
    return low


def _split_words(piece: str) -> list[str]:
    """Cut a piece without sentence ends (a list of streets...) into pieces of at most
    TARGET_TOKENS at word boundaries; a single word above the maximum is cut in letters."""
    words, start, result = piece.split(), 0, []
    while start < len(words):
        rest = words[start : start + HARD_MAX_TOKENS + 1]
        if len(rest) <= HARD_MAX_TOKENS and _fits(" ".join(rest), HARD_MAX_TOKENS):
            result.append(" ".join(rest))
            break
        if not _fits(words[start], HARD_MAX_TOKENS):
            result.extend(_split_letters(words[start]))
            start += 1
            continue
        cut = _longest_fit(rest, " ")
        result.append(" ".join(rest[:cut]))
        start += cut
    return result


def _split_letters(word: str) -> list[str]:
    pieces = []
    while not _fits(word, HARD_MAX_TOKENS):
        cut = _longest_fit(word, "")
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word] if word else pieces


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
                full = size + tokens > TARGET_TOKENS and size >= MIN_TOKENS // 2
                if current and (full or _too_big([*current, piece])):
                    drafts.append(_draft(section, current))
                    current, size = [], 0
                current.append(piece)
                size += tokens
        if current:
            drafts.append(_draft(section, current))
    return _merge_small(drafts)


def _too_big(parts: list[str]) -> bool:
    return estimate_tokens("\n\n".join(parts)) > HARD_MAX_TOKENS


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
            tokens = estimate_tokens(text)  # a long heading in the joint counts too
            if tokens <= HARD_MAX_TOKENS:
                merged[-1] = ChunkDraft(last.heading, last.page, text, tokens)
                continue
        merged.append(draft)
    return merged
