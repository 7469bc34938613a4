"""PostgreSQL backend: an inverted index of analysed terms in a covering B-tree, BM25 in SQL.

Each chunk's terms (from the same Python French analyzer as the SQLite backend: elisions,
stop words, Snowball stems, accents folded) are stored as postings (term, chunk, tf,
length), plus the term sequence and the lead vector (knowledge.vectors) per chunk.
One SQL statement reads the postings of the
question's terms through an index-only scan, counts document frequencies and scores Okapi
BM25 (k1=1.2, b=0.75) to pick the candidates; the shared scorer (knowledge.scoring) then
ranks them exactly as the SQLite backend does.

The number of rows and their total length live in a one-row table, and each term's document
frequency in a table of its own, both kept by statement-level triggers (transition tables:
one update per statement, COPY included), so a question reads N, the average length and its
terms' frequencies instead of counting every row and every posting. Each row's digest (of its
terms) lets the candidates count copies of one passage once.

Measured and dropped (see docs/benchmarks.md): ts_rank_cd is not a relevance model here;
a GIN-indexed tsvector (french config + unaccent) as candidate generator with BM25 over
jsonb term counts costs p95 27 ms (candidate rows are detoasted) against ~7 ms here.
"""

import json
from collections import Counter
from collections.abc import Iterable, Sequence

from django.conf import settings

from ..scoring import Bm25F, CorpusStats
from .base import OVERFETCH, TwoStageIndex, candidate_terms, digest

K1, B = 1.2, 0.75  # candidate generation only
TOWN_SCOPE = (
    " JOIN knowledge_chunk c ON c.id = p.chunk_id JOIN knowledge_document d"
    " ON d.id = c.document_id AND d.status = 'ready'"
    " AND (d.valid_until IS NULL OR d.valid_until >= %s)"
    " AND (d.valid_from IS NULL OR d.valid_from <= %s)"
)


class PostgresIndex(TwoStageIndex):
    name = "postgres-postings"

    def __init__(self, table: str = "knowledge_posting"):
        self.table = table
        self.docs = f"{table}_doc"
        self.texts = f"{table}_text"
        self.totals = f"{table}_stats"
        self.freqs = f"{table}_df"

    def _create(self, cursor, temp: bool) -> None:
        kind = "TEMP TABLE" if temp else "TABLE"
        cursor.execute(
            f"CREATE {kind} IF NOT EXISTS {self.docs} (chunk_id bigint PRIMARY KEY,"
            " length integer NOT NULL, digest bigint)"
        )
        cursor.execute(f"ALTER TABLE {self.docs} ADD COLUMN IF NOT EXISTS digest bigint")
        # The term sequences live apart so that N and avgdl are read from a narrow table.
        cursor.execute(
            f"CREATE {kind} IF NOT EXISTS {self.texts} (chunk_id bigint PRIMARY KEY"
            f" REFERENCES {self.docs} (chunk_id) ON DELETE CASCADE, terms text NOT NULL,"
            " vec bytea)"
        )
        cursor.execute(f"ALTER TABLE {self.texts} ADD COLUMN IF NOT EXISTS vec bytea")
        cursor.execute(
            f"CREATE {kind} IF NOT EXISTS {self.table} (term text NOT NULL,"
            f" chunk_id bigint NOT NULL REFERENCES {self.docs} (chunk_id) ON DELETE CASCADE,"
            " tf integer NOT NULL, length integer NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_term ON {self.table}"
            " (term) INCLUDE (chunk_id, tf, length)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_chunk ON {self.table} (chunk_id)")
        self._fill_digests(cursor)
        self._create_totals(cursor, kind)
        self._create_freqs(cursor, kind)

    def _fill_digests(self, cursor) -> None:
        """Rows indexed before digests (migration 0005) get theirs."""
        cursor.execute(
            f"SELECT t.chunk_id, t.terms FROM {self.texts} t JOIN {self.docs} d"  # noqa: S608
            " USING (chunk_id) WHERE d.digest IS NULL"
        )
        pairs = [(digest(terms), row_id) for row_id, terms in cursor.fetchall()]
        cursor.executemany(
            f"UPDATE {self.docs} SET digest = %s WHERE chunk_id = %s",  # noqa: S608
            pairs,
        )

    def _create_totals(self, cursor, kind: str) -> None:
        """The one-row table of N and the total length, kept by statement-level triggers
        (rows added or deleted in one statement, including COPY, update it once)."""
        cursor.execute(
            f"CREATE {kind} IF NOT EXISTS {self.totals} (id integer PRIMARY KEY CHECK (id = 1),"
            " n bigint NOT NULL, total bigint NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {self.totals} SELECT 1, count(*), coalesce(sum(length), 0)"  # noqa: S608
            f" FROM {self.docs} ON CONFLICT (id) DO NOTHING"
        )

        def change(sign: str, rows: str) -> str:
            return (
                f"UPDATE {self.totals} SET n = n {sign} (SELECT count(*) FROM {rows}),"  # noqa: S608
                f" total = total {sign} (SELECT coalesce(sum(length), 0) FROM {rows})"
            )

        reset = f"UPDATE {self.totals} SET n = 0, total = 0"  # noqa: S608
        body = (
            f"IF TG_OP = 'INSERT' THEN {change('+', 'added')};"
            f" ELSIF TG_OP = 'DELETE' THEN {change('-', 'gone')};"
            f" ELSE {reset}; END IF; RETURN NULL;"
        )
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {self.docs}_count() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
        )
        for name, event in (
            ("added", "INSERT ON {docs} REFERENCING NEW TABLE AS added"),
            ("gone", "DELETE ON {docs} REFERENCING OLD TABLE AS gone"),
            ("emptied", "TRUNCATE ON {docs}"),
        ):
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.docs}_{name} ON {self.docs}")
            cursor.execute(
                f"CREATE TRIGGER {self.docs}_{name} AFTER {event.format(docs=self.docs)}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {self.docs}_count()"
            )

    def _create_freqs(self, cursor, kind: str) -> None:
        """Document frequency per term, kept by statement-level triggers on the postings:
        a question reads its terms' frequencies instead of counting their postings (all of
        them, the commonest included: half the server's time at 100k passages). Terms are
        upserted in term order, so concurrent ingestions lock them in one order."""
        cursor.execute("SELECT to_regclass(%s) IS NULL", [self.freqs])
        missing = cursor.fetchone()[0]
        cursor.execute(
            f"CREATE {kind} IF NOT EXISTS {self.freqs} (term text PRIMARY KEY, df integer NOT NULL)"
        )
        if missing:
            cursor.execute(
                f"INSERT INTO {self.freqs} SELECT term, count(*) FROM {self.table}"  # noqa: S608
                " GROUP BY term"
            )
        added = (
            f"INSERT INTO {self.freqs} AS f (term, df) SELECT term, count(*) FROM added"  # noqa: S608
            " GROUP BY term ORDER BY term ON CONFLICT (term) DO UPDATE SET df = f.df + excluded.df"
        )
        gone = (
            f"UPDATE {self.freqs} AS f SET df = f.df - g.n FROM (SELECT term, count(*) AS n"  # noqa: S608
            " FROM gone GROUP BY term ORDER BY term) AS g WHERE f.term = g.term"
        )
        emptied = f"DELETE FROM {self.freqs}"  # noqa: S608
        body = (
            f"IF TG_OP = 'INSERT' THEN {added}; ELSIF TG_OP = 'DELETE' THEN {gone};"
            f" ELSE {emptied}; END IF; RETURN NULL;"
        )
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {self.table}_count() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
        )
        for name, event in (
            ("added", "INSERT ON {t} REFERENCING NEW TABLE AS added"),
            ("gone", "DELETE ON {t} REFERENCING OLD TABLE AS gone"),
            ("emptied", "TRUNCATE ON {t}"),
        ):
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.table}_{name} ON {self.table}")
            cursor.execute(
                f"CREATE TRIGGER {self.table}_{name} AFTER {event.format(t=self.table)}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {self.table}_count()"
            )

    def create_town_index(self, connection) -> None:
        with connection.cursor() as cursor:
            self._create(cursor, temp=False)
            self._follow_chunks(cursor)

    def _follow_chunks(self, cursor) -> None:
        """Deleting or truncating chunks deletes their postings (cascading from the
        index's chunk table). Triggers rather than a foreign key to knowledge_chunk: Django
        truncates its own tables (test flushes), which a foreign key from a table it does
        not know would forbid."""
        cursor.execute(
            f"ALTER TABLE {self.docs} DROP CONSTRAINT IF EXISTS {self.docs}_chunk_id_fkey"
        )
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {self.docs}_follow() RETURNS trigger "  # noqa: S608
            f"LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'TRUNCATE' THEN "
            f"TRUNCATE {self.docs} CASCADE; ELSE DELETE FROM {self.docs} "
            f"WHERE chunk_id = OLD.id; END IF; RETURN NULL; END $$"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {self.docs}_delete ON knowledge_chunk")
        cursor.execute(
            f"CREATE TRIGGER {self.docs}_delete AFTER DELETE ON knowledge_chunk "
            f"FOR EACH ROW EXECUTE FUNCTION {self.docs}_follow()"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {self.docs}_truncate ON knowledge_chunk")
        cursor.execute(
            f"CREATE TRIGGER {self.docs}_truncate AFTER TRUNCATE ON knowledge_chunk "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {self.docs}_follow()"
        )

    def drop_town_index(self, connection) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.docs}_delete ON knowledge_chunk")
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.docs}_truncate ON knowledge_chunk")
            cursor.execute(f"DROP FUNCTION IF EXISTS {self.docs}_follow()")
            cursor.execute(
                f"DROP TABLE IF EXISTS {self.table}, {self.texts}, {self.docs}, {self.totals},"
                f" {self.freqs}"
            )
            cursor.execute(f"DROP FUNCTION IF EXISTS {self.docs}_count()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {self.table}_count()")

    def create_isolated(self, connection) -> None:
        """Temporary tables private to this session (retrieval benchmark)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TABLE IF EXISTS pg_temp.{self.table}, pg_temp.{self.texts},"
                f" pg_temp.{self.docs}, pg_temp.{self.totals}, pg_temp.{self.freqs}"
            )
            self._create(cursor, temp=True)

    def add(self, connection, rows: Iterable[tuple[int, Sequence[str]]], leads=None) -> None:
        """Index rows; `leads` are their lead vectors when computed beforehand (outside the
        writing transaction, see knowledge.ingest), else they are computed here."""
        rows = list(rows)
        leads = self.lead_vectors(rows) if leads is None else leads
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg cursor: COPY is ~20x faster than INSERTs here
            joined = [" ".join(terms) for _, terms in rows]
            with raw.copy(f"COPY {self.docs} (chunk_id, length, digest) FROM STDIN") as copy:
                for (row_id, terms), text in zip(rows, joined, strict=True):
                    copy.write_row((row_id, len(terms), digest(text)))
            with raw.copy(f"COPY {self.texts} (chunk_id, terms, vec) FROM STDIN") as copy:
                for (row_id, _), text, vec in zip(rows, joined, leads, strict=True):
                    copy.write_row((row_id, text, vec))
            postings = sorted(
                (term, row_id, tf, len(terms))
                for row_id, terms in rows
                for term, tf in Counter(terms).items()
            )  # stored term by term: a term's postings share few heap pages
            with raw.copy(f"COPY {self.table} (term, chunk_id, tf, length) FROM STDIN") as copy:
                for posting in postings:
                    copy.write_row(posting)
            cursor.execute(f"ANALYZE {self.table}")
            cursor.execute(f"ANALYZE {self.docs}")

    def set_vectors(self, connection, pairs: Iterable[tuple[int, bytes | None]]) -> None:
        """Store (or replace) lead vectors; None leaves a row without one."""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.texts} SET vec = %s WHERE chunk_id = %s",  # noqa: S608
                [(vec, row_id) for row_id, vec in pairs if vec is not None],
            )

    def vectors_of(self, connection, row_ids: Sequence[int]) -> dict[int, bytes]:
        """The stored lead vectors of these rows (rows without one are left out)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT chunk_id, vec FROM {self.texts}"  # noqa: S608
                " WHERE chunk_id = ANY(%s) AND vec IS NOT NULL",
                [list(row_ids)],
            )
            return {row_id: bytes(vec) for row_id, vec in cursor.fetchall()}

    def missing_vectors(self, connection) -> list[int]:
        """Indexed rows that have no lead vector (indexed before vectors existed)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT chunk_id FROM {self.texts} WHERE vec IS NULL")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    def remove(self, connection, row_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.docs} WHERE chunk_id = ANY(%s)", [list(row_ids)])  # noqa: S608

    def _known(self, cursor, terms):
        cursor.execute(
            f"SELECT term FROM {self.freqs} WHERE term = ANY(%s) AND df > 0",  # noqa: S608
            [terms],
        )
        return [row[0] for row in cursor.fetchall()]

    def _gather(self, cursor, terms, depth, today, pending):
        """Corpus statistics first, then the BM25 candidates with their terms and vectors.

        Measured and dropped: one statement with CTEs (p95 6.4 against 5.4 ms), and that
        statement pipelined while the question is encoded in the main thread (long tail)."""
        cursor.execute(
            f"SELECT n, total, (SELECT json_object_agg(term, df) FROM {self.freqs}"  # noqa: S608
            f" WHERE term = ANY(%s) AND df > 0)::text FROM {self.totals}",
            [terms],
        )
        n, total, df_json = cursor.fetchone()
        if not n or not df_json:
            return [], {}, None, None
        stats = CorpusStats(int(n), total / n or 1.0, json.loads(df_json))
        known = candidate_terms(terms, stats.df, settings.KNOWLEDGE_CANDIDATE_POSTINGS)
        idfs = [Bm25F.idf(stats.df[t], stats.n) for t in known]
        scope, params = (TOWN_SCOPE, [today, today]) if today is not None else ("", [])
        # The top rows by BM25, then the first of each digest (copies of a passage take one
        # candidate slot), then the terms and vectors of the `depth` kept.
        cursor.execute(
            "WITH top AS (SELECT p.chunk_id, sum(q.idf * p.tf * %s::float8"  # noqa: S608
            " / (p.tf + %s::float8 + %s::float8 * p.length)) AS score"
            f" FROM unnest(%s::text[], %s::float8[]) AS q (term, idf)"
            f" JOIN {self.table} p ON p.term = q.term{scope}"
            " GROUP BY p.chunk_id ORDER BY score DESC, p.chunk_id LIMIT %s),"
            " firsts AS (SELECT DISTINCT ON (coalesce(d.digest, -top.chunk_id), d.digest IS NULL)"
            f" top.chunk_id, top.score FROM top JOIN {self.docs} d USING (chunk_id)"
            " ORDER BY coalesce(d.digest, -top.chunk_id), d.digest IS NULL, top.score DESC,"
            " top.chunk_id), best AS (SELECT * FROM firsts ORDER BY score DESC, chunk_id LIMIT %s)"
            f" SELECT best.chunk_id, t.terms, t.vec FROM best JOIN {self.texts} t USING (chunk_id)"
            " ORDER BY best.score DESC, best.chunk_id",
            [K1 + 1, K1 * (1 - B), K1 * B / stats.avgdl, known, idfs, *params]
            + [depth * OVERFETCH, depth],
        )
        rows = cursor.fetchall()
        ids, found = [r[0] for r in rows], {r[0]: (r[1], r[2]) for r in rows}
        return ids, found, stats, pending()  # the question was encoded in a worker meanwhile
