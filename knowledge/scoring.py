"""Relevance scoring shared by both backends: BM25F fused with a dense lead similarity.

Both backends only *find* candidates (their own index, their own quick ranking); this scorer
then ranks the candidates from their analysed terms and exact corpus statistics, so SQLite
and PostgreSQL return the same order. The lead field (first KNOWLEDGE_LEAD_TERMS terms: a
chunk's title and heading come first, then its opening words) carries extra weight: the
subject of a passage is stated there. KNOWLEDGE_LEAD_WEIGHT=0 gives plain Okapi BM25.

The default scorer, Hybrid, adds the cosine between the question's vector and the passage's
lead vector (knowledge.vectors) to the BM25F score divided by its ceiling (the sum of
idf * (k1 + 1) over the question's terms, the score of a passage saturated with all of them):
score = bm25f / ceiling + KNOWLEDGE_DENSE_WEIGHT * cosine. Both terms then lie on a fixed
scale that does not depend on the other candidates, so the order of two passages never
changes with the candidate depth. KNOWLEDGE_DENSE = False gives the lexical ranking alone
(the query then has no vector and Hybrid scores as Bm25F).
"""

import math
from dataclasses import dataclass

from django.conf import settings

from .vectors import cosines


@dataclass
class Candidate:
    row_id: int
    terms: str  # the analysed terms of the row, in order, space-separated (a list is joined)
    vector: bytes | None = None  # float16 lead vector (knowledge.vectors)

    def __post_init__(self):
        if not isinstance(self.terms, str):
            self.terms = " ".join(self.terms)

    def counts(self, needles: list[str], first: int) -> tuple[int, list[int], list[int]]:
        """Length, and counts of each ` term ` needle in all the terms and in the first ones.

        Counting substrings of the joined string is much faster than splitting long rows."""
        text = self.terms
        if not text:
            return 0, [0] * len(needles), [0] * len(needles)
        body = f" {text.replace(' ', '  ')} "  # doubled spaces: adjacent repeats all count
        lead = f" {'  '.join(text.split(' ', first)[:first])} "
        return (
            text.count(" ") + 1,
            [body.count(n) for n in needles],
            [lead.count(n) for n in needles],
        )


@dataclass
class CorpusStats:
    n: int
    avgdl: float
    df: dict[str, int]


class Bm25F:
    """BM25F (one saturation over weighted field frequencies) with body and lead fields."""

    def __init__(self, k1=None, b=None, lead_terms=None, lead_weight=None):
        self.k1 = settings.KNOWLEDGE_BM25_K1 if k1 is None else k1
        self.b = settings.KNOWLEDGE_BM25_B if b is None else b
        self.lead_terms = settings.KNOWLEDGE_LEAD_TERMS if lead_terms is None else lead_terms
        self.lead_weight = settings.KNOWLEDGE_LEAD_WEIGHT if lead_weight is None else lead_weight

    @staticmethod
    def idf(df: int, n: int) -> float:
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def ceiling(self, terms: list[str], stats: CorpusStats) -> float:
        """The score of a passage saturated with every term of the question."""
        idfs = (self.idf(stats.df[t], stats.n) for t in dict.fromkeys(terms) if stats.df.get(t))
        return sum(idfs) * (self.k1 + 1)

    def score(self, terms: list[str], candidates: list[Candidate], stats: CorpusStats, query=None):
        """(row id, score) pairs, best first (ties by row id); `query` vector is ignored."""
        k1, b, weight = self.k1, self.b, self.lead_weight
        avgdl = stats.avgdl or 1.0
        unique = list(dict.fromkeys(terms))
        idfs = [self.idf(stats.df.get(t, 0), stats.n) for t in unique]
        needles = [f" {t} " for t in unique]
        scored = []
        for cand in candidates:
            length, tfs, leads = cand.counts(needles, self.lead_terms)
            norm = 1 - b + b * length / avgdl
            total = 0.0
            for idf, tf, in_lead in zip(idfs, tfs, leads, strict=True):
                if tf:
                    pseudo = tf / norm + weight * in_lead
                    total += idf * pseudo * (k1 + 1) / (pseudo + k1)
            scored.append((cand.row_id, total))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored


class Hybrid(Bm25F):
    """BM25F over its ceiling plus the weighted cosine of the lead vectors."""

    def __init__(self, dense_weight=None, **kwargs):
        super().__init__(**kwargs)
        default = settings.KNOWLEDGE_DENSE_WEIGHT
        self.dense_weight = default if dense_weight is None else dense_weight

    def score(self, terms, candidates, stats, query=None):
        lexical = super().score(terms, candidates, stats)
        if query is None or not self.dense_weight:
            return lexical
        ceiling = self.ceiling(terms, stats) or 1.0
        similarity = cosines(query, [c.vector for c in candidates])
        sims = {c.row_id: value for c, value in zip(candidates, similarity, strict=True)}
        fused = [
            (row_id, round(value / ceiling + self.dense_weight * sims[row_id], 9))
            for row_id, value in lexical
        ]
        fused.sort(key=lambda item: (-item[1], item[0]))
        return fused


def get_scorer() -> Hybrid:
    """The scorer both backends rank their candidates with."""
    return Hybrid()
