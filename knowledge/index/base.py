"""Two-stage search shared by the backends: find candidates in the database, rank in Python."""

from collections.abc import Sequence

from django.conf import settings

from .. import vectors
from ..scoring import Candidate, get_scorer


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
