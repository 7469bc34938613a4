"""Citations: the passage numbers an answer cites, and the sources shown under it."""

import re

CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def cited_numbers(text: str) -> set[int]:
    """The passage numbers an answer cites: [1], [2, 3]."""
    return {int(n) for group in CITATION.findall(text) for n in re.split(r"[,;]\s*", group)}


def sources_of(passages, answer: str = "") -> list[dict]:
    """The numbered sources of an answer: those it cites, or all of them if it cites none."""
    sources = [
        {"n": n, "title": p.title, "page": p.page, "url": p.url}
        for n, p in enumerate(passages, start=1)
    ]
    cited = cited_numbers(answer)
    kept = [s for s in sources if s["n"] in cited]
    return kept or sources
