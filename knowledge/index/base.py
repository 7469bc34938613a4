"""Two-stage search shared by the backends: find candidates in the database, rank in Python."""

import hashlib
from collections.abc import Sequence

from django.conf import settings

from .. import vectors
from ..scoring import Candidate, get_scorer

# Rows read from the database's own ranking to find KNOWLEDGE_CANDIDATES distinct passages:
# only ids and digests, so a deep read is cheap (copies of one passage take one slot).
OVERFETCH = 20


def digest(terms: str) -> int:
    """A signed 64-bit digest of a row's joined terms: equal digests, same passage."""
    return int.from_bytes(
        hashlib.blake2b(terms.encode(), digest_size=8).digest(), "big", signed=True
    )


def distinct(rows: Sequence[tuple[int, int | None]], depth: int) -> list[int]:
    """The ids of the first `depth` (id, digest) rows whose digest was not seen before."""
    seen, ids = set(), []
    for row_id, row_digest in rows:
        if row_digest is not None:
            if row_digest in seen:
                continue
            seen.add(row_digest)
        ids.append(row_id)
        if len(ids) == depth:
            break
    return ids


def candidate_terms(terms: Sequence[str], df: dict[str, int], budget: int) -> list[str]:
    """The question's terms whose postings the candidate query reads: the rarest first, while
    their document frequencies add up to at most `budget` (the rarest one always).

    The database scores every row that holds one of these terms, so this bounds its work
    whatever the size of the index; the terms left out (the commonest, of low idf) still
    count in the ranking of the candidates. Below the budget nothing is left out."""
    known = sorted((t for t in terms if df.get(t)), key=lambda t: (df[t], t))
    chosen, read = [], 0
    for term in known:
        if chosen and read + df[term] > budget:
            break
        chosen.append(term)
        read += df[term]
    return chosen


class TwoStageIndex:
    """Subclasses provide `_gather` for their database and store the rows' lead vectors."""

    name = "abstract"
    encode_in_thread = True  # the question is encoded in a worker while the database works

    def _gather(self, cursor, terms: list[str], depth: int, today, pending):
        """(candidate ids best first, {id: (analysed terms, lead vector)}, CorpusStats,
        pending())."""
        raise NotImplementedError

    @staticmethod
    def lead_vectors(rows: Sequence[tuple[int, Sequence[str]]]) -> list[bytes | None]:
        """Vectors of the rows whose terms carry their source text (knowledge.analysis.Analysed)."""
        return vectors.encode_passages([getattr(terms, "text", None) for _, terms in rows])

    def known(self, connection, terms: Sequence[str]) -> set[str]:
        """The terms that at least one indexed row holds."""
        terms = [t for t in dict.fromkeys(terms) if t]
        if not terms:
            return set()
        with connection.cursor() as cursor:
            return set(self._known(cursor, terms))

    def _known(self, cursor, terms: list[str]) -> list[str]:
        raise NotImplementedError

    def search(self, connection, terms, limit, today=None, query=None) -> list[tuple[int, float]]:
        """(row id, score) pairs, best first; with `today`, servable town chunks only.

        `query` is the question's dense vector (knowledge.vectors.encode_query) or a
        callable giving it (vectors.pending_query, called while the database works), fused
        with BM25F by the scorer; without it the ranking is lexical.
        """
        terms = [t for t in dict.fromkeys(terms) if t.isalnum()][:64]
        if not terms:
            return []
        depth = max(limit, settings.KNOWLEDGE_CANDIDATES)
        with connection.cursor() as cursor:
            ids, rows, stats, query = self._gather(
                cursor, terms, depth, today, lambda: vectors.resolve(query)
            )
        if not ids:
            return []
        candidates = [Candidate(i, *rows[i]) for i in ids if i in rows]
        return get_scorer().score(terms, candidates, stats, query)[:limit]
