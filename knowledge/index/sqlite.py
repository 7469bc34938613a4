"""SQLite backend: FTS5 over analysed terms finds candidates; the shared BM25 scorer ranks them.

The FTS5 table stores each chunk's terms (already folded and stemmed in Python, so the
tokenizer only splits on spaces) and its length; an fts5vocab table gives document
frequencies. FTS5's own bm25() has fixed k1/b, so it only picks the candidates (its top
KNOWLEDGE_CANDIDATES distinct passages); knowledge.scoring ranks them with exact corpus
statistics and the lead vectors kept in a side table (knowledge.vectors).

A narrow table keeps each row's length and the digest of its terms; a one-row table keeps
the number of rows and their total length, maintained by triggers, so that a question reads
N and the average length in O(1) instead of scanning every row (5 ms at 100k passages).
"""

from collections.abc import Iterable, Sequence

from django.conf import settings

from ..scoring import CorpusStats
from .base import OVERFETCH, TwoStageIndex, candidate_terms, digest, distinct

TOWN_SCOPE = (
    " JOIN knowledge_chunk c ON c.id = f.rowid JOIN knowledge_document d ON d.id = c.document_id"
    " WHERE {table} MATCH %s AND d.status = 'ready'"
    " AND (d.valid_until IS NULL OR d.valid_until >= %s)"
    " AND (d.valid_from IS NULL OR d.valid_from <= %s)"
)


class SqliteFtsIndex(TwoStageIndex):
    name = "sqlite-fts5"

    def __init__(self, table: str = "knowledge_chunk_fts"):
        self.table = table
        self.vocab = f"{table}_vocab"
        self.lengths = f"{table}_len"
        self.vectors = f"{table}_vec"
        self.totals = f"{table}_stats"

    def create_town_index(self, connection) -> None:
        with connection.cursor() as cursor:
            self._create(cursor, "main")
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.table}_ad")  # older versions: no vectors
            cursor.execute(
                f"CREATE TRIGGER {self.table}_ad AFTER DELETE ON knowledge_chunk "  # noqa: S608
                f"BEGIN DELETE FROM {self.table} WHERE rowid = old.id;"
                f" DELETE FROM {self.lengths} WHERE id = old.id;"
                f" DELETE FROM {self.vectors} WHERE id = old.id; END"
            )

    def drop_town_index(self, connection) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.table}_ad")
            for table in (self.vocab, self.totals, self.lengths, self.vectors, self.table):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def create_isolated(self, connection) -> None:
        """Temporary tables private to this connection (retrieval benchmark)."""
        with connection.cursor() as cursor:
            for table in (self.vocab, self.totals, self.lengths, self.vectors, self.table):
                cursor.execute(f"DROP TABLE IF EXISTS temp.{table}")
            self._create(cursor, "temp")

    def _create(self, cursor, schema: str) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.{self.lengths}"
            " (id INTEGER PRIMARY KEY, length INTEGER NOT NULL, digest INTEGER)"
        )
        self._add_digests(cursor, schema)
        self._create_totals(cursor, schema)
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.{self.vectors}"
            " (id INTEGER PRIMARY KEY, vec BLOB NOT NULL)"
        )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.{self.table} USING fts5(terms, "
            "length UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')"
        )
        # fts5vocab takes the schema argument only when it lives in temp.
        source = f"temp, {self.table}" if schema == "temp" else self.table
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.{self.vocab}"
            f" USING fts5vocab({source}, row)"
        )

    def _add_digests(self, cursor, schema: str) -> None:
        """Index built before digests (migration 0005): add the column, fill it."""
        cursor.execute(f"PRAGMA {schema}.table_info({self.lengths})")
        if "digest" in {row[1] for row in cursor.fetchall()}:
            return
        cursor.execute(f"ALTER TABLE {schema}.{self.lengths} ADD COLUMN digest INTEGER")
        cursor.execute(f"SELECT rowid, terms FROM {schema}.{self.table}")  # noqa: S608
        pairs = [(digest(terms), row_id) for row_id, terms in cursor.fetchall()]
        cursor.executemany(
            f"UPDATE {schema}.{self.lengths} SET digest = %s WHERE id = %s",  # noqa: S608
            pairs,
        )

    def _create_totals(self, cursor, schema: str) -> None:
        """The one-row table of N and the total length, and the triggers that keep it."""
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.{self.totals} (id INTEGER PRIMARY KEY"
            " CHECK (id = 1), n INTEGER NOT NULL, total INTEGER NOT NULL)"
        )
        cursor.execute(
            f"INSERT OR IGNORE INTO {schema}.{self.totals} (id, n, total)"  # noqa: S608
            f" SELECT 1, count(*), coalesce(sum(length), 0) FROM {schema}.{self.lengths}"
        )
        # Trigger bodies take no schema prefix; a trigger on a temp table is temporary.
        for event, sign, row in (("INSERT", "+", "new"), ("DELETE", "-", "old")):
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {schema}.{self.lengths}_{event[0].lower()}"  # noqa: S608
                f" AFTER {event} ON {self.lengths} BEGIN UPDATE {self.totals}"
                f" SET n = n {sign} 1, total = total {sign} {row}.length; END"
            )

    def add(self, connection, rows: Iterable[tuple[int, Sequence[str]]], leads=None) -> None:
        """Index rows; `leads` are their lead vectors when computed beforehand (outside the
        writing transaction, see knowledge.ingest), else they are computed here."""
        rows = list(rows)
        ids = [row_id for row_id, _ in rows]
        leads = self.lead_vectors(rows) if leads is None else leads
        self.set_vectors(connection, zip(ids, leads, strict=True))
        with connection.cursor() as cursor:
            rows = [(row_id, " ".join(terms), len(terms)) for row_id, terms in rows]
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, terms, length) VALUES (%s, %s, %s)",  # noqa: S608
                rows,
            )
            cursor.executemany(
                f"INSERT INTO {self.lengths} (id, length, digest) VALUES (%s, %s, %s)",  # noqa: S608
                [(row_id, length, digest(text)) for row_id, text, length in rows],
            )

    def set_vectors(self, connection, pairs: Iterable[tuple[int, bytes | None]]) -> None:
        """Store (or replace) lead vectors; None leaves a row without one."""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT OR REPLACE INTO {self.vectors} (id, vec) VALUES (%s, %s)",  # noqa: S608
                [(row_id, vec) for row_id, vec in pairs if vec is not None],
            )

    def vectors_of(self, connection, row_ids: Sequence[int]) -> dict[int, bytes]:
        """The stored lead vectors of these rows (rows without one are left out)."""
        marks = ", ".join(["%s"] * len(row_ids)) or "NULL"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, vec FROM {self.vectors} WHERE id IN ({marks})",  # noqa: S608
                list(row_ids),
            )
            return {row_id: bytes(vec) for row_id, vec in cursor.fetchall()}

    def missing_vectors(self, connection) -> list[int]:
        """Indexed rows that have no lead vector (indexed before vectors existed)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {self.lengths} WHERE id NOT IN (SELECT id FROM {self.vectors})"  # noqa: S608
            )
            return [row[0] for row in cursor.fetchall()]

    def remove(self, connection, row_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            for table, key in ((self.table, "rowid"), (self.lengths, "id"), (self.vectors, "id")):
                cursor.executemany(
                    f"DELETE FROM {table} WHERE {key} = %s",  # noqa: S608 - internal names
                    [(i,) for i in row_ids],
                )

    def _gather(self, cursor, terms, depth, today, pending):
        stats = self._stats(cursor, terms)
        chosen = candidate_terms(terms, stats.df, settings.KNOWLEDGE_CANDIDATE_POSTINGS)
        ids = self._candidates(cursor, chosen, depth, today) if chosen else []
        if not ids:
            return [], {}, None, None
        return ids, self._terms_of(cursor, ids), stats, pending()  # encoded in a worker meanwhile

    def _candidates(self, cursor, terms, depth, today) -> list[int]:
        """FTS5's own bm25() order (fixed k1/b) only picks the candidates: the first `depth`
        distinct passages (copies of a passage, same digest, count once)."""
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = f"SELECT f.rowid, bm25({self.table}) AS s FROM {self.table} f"  # noqa: S608
        if today is None:
            sql += f" WHERE {self.table} MATCH %s"
            params = [match]
        else:
            sql += TOWN_SCOPE.format(table=self.table)
            params = [match, today.isoformat(), today.isoformat()]
        # The digests are joined to the top rows only, not to every matching row.
        cursor.execute(
            f"SELECT top.rowid, l.digest FROM ({sql} ORDER BY s LIMIT %s) AS top"  # noqa: S608
            f" JOIN {self.lengths} l ON l.id = top.rowid ORDER BY top.s, top.rowid",
            [*params, depth * OVERFETCH],
        )
        return distinct(cursor.fetchall(), depth)

    def _terms_of(self, cursor, ids):
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT f.rowid, f.terms, v.vec FROM {self.table} f"  # noqa: S608
            f" LEFT JOIN {self.vectors} v ON v.id = f.rowid WHERE f.rowid IN ({marks})",
            ids,
        )
        return {row_id: (text, vec) for row_id, text, vec in cursor.fetchall()}

    def _known(self, cursor, terms):
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(
            f"SELECT term FROM {self.vocab} WHERE term IN ({marks}) AND doc > 0",  # noqa: S608
            terms,
        )
        return [row[0] for row in cursor.fetchall()]

    def _stats(self, cursor, terms) -> CorpusStats:
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(
            f"SELECT term, doc FROM {self.vocab} WHERE term IN ({marks})",  # noqa: S608
            terms,
        )
        df = dict(cursor.fetchall())
        cursor.execute(f"SELECT n, total FROM {self.totals}")  # noqa: S608
        n, total = cursor.fetchone()
        return CorpusStats(n, total / n if n else 1.0, df)
