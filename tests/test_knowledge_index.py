"""Search index at scale: copies count once, O(1) statistics, the candidates' postings budget."""

import pytest
from django.db import connection

from knowledge.analysis import french_analyzer
from knowledge.index import backend_for
from tests.support.documents import add_document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_it_counts_copies_of_a_passage_once_among_the_candidates(settings):
    """Twenty copies of one notice must not push the answer out of a 5-deep candidate list."""
    from knowledge.analysis import analyse
    from knowledge.retrieval import rank

    settings.KNOWLEDGE_CANDIDATES = 5
    notice = "Collecte des déchets : la collecte des déchets verts est suspendue, collecte."
    answer = "Le camion de collecte des ordures ménagères passe le lundi."
    backend = backend_for(connection, table="knowledge_test_index")
    backend.create_isolated(connection)
    rows = [(i, analyse(notice)) for i in range(1, 21)] + [(21, analyse(answer))]
    backend.add(connection, rows, leads=[None] * len(rows))
    ranked = [row for row, _ in rank("collecte des ordures le lundi", 5, backend=backend)]
    assert ranked == [21, 1]  # the answer, then the notice once (its first copy)


def _totals(backend):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, total FROM {backend.totals}")  # noqa: S608
        return cursor.fetchone()


def test_it_keeps_the_row_count_and_total_length_as_chunks_come_and_go():
    from knowledge.models import Chunk

    backend = backend_for(connection)
    first = add_document(b"Les ramoneurs passent en mars dans tout le quartier.", "ramonage.md")
    second = add_document("Le marché a lieu le samedi.".encode(), "marche.md")
    lengths = {
        c.pk: len(french_analyzer(f"{c.document.title}\n{c.text}")) for c in Chunk.objects.all()
    }
    n, total = _totals(backend)
    assert n == len(lengths) and total > 0
    gone = sum(1 for _ in first.chunks.all())
    first.delete()
    assert _totals(backend)[0] == n - gone and _totals(backend)[1] < total
    second.delete()
    assert _totals(backend) == (0, 0)


def test_it_fills_digests_and_totals_of_an_index_built_before_them():
    import importlib

    from django.apps import apps

    doc = add_document(b"Le ramonage des cheminees est obligatoire.", "ramonage.md")
    backend = backend_for(connection)
    with connection.cursor() as cursor:  # what an index before migration 0009 looked like
        if connection.vendor == "sqlite":
            table = backend.lengths
            cursor.execute(f"DROP TRIGGER {table}_i")
            cursor.execute(f"DROP TRIGGER {table}_d")
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN digest")
        else:
            table = backend.docs
            cursor.execute(f"DROP FUNCTION {table}_count() CASCADE")  # and its triggers
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN digest")
        cursor.execute(f"DROP TABLE {backend.totals}")
    migration = importlib.import_module("knowledge.migrations.0009_index_digests_totals")
    migration.upgrade_index(apps, type("Editor", (), {"connection": connection})())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE digest IS NULL")  # noqa: S608
        assert cursor.fetchone()[0] == 0
    assert _totals(backend)[0] == doc.chunks.count()


def test_it_reads_the_postings_of_the_rarest_terms_first_within_the_budget():
    from knowledge.index.base import candidate_terms

    df = {"collect": 500, "ordur": 20, "lundi": 90}
    terms = ["collect", "ordur", "lundi", "inconnu"]
    assert candidate_terms(terms, df, 10_000) == ["ordur", "lundi", "collect"]
    assert candidate_terms(terms, df, 110) == ["ordur", "lundi"]
    assert candidate_terms(terms, df, 5) == ["ordur"]  # the rarest is always read
    assert candidate_terms(["inconnu"], df, 10_000) == []


def test_it_still_scores_the_common_terms_of_candidates_found_by_the_rare_ones(settings):
    from knowledge.analysis import analyse
    from knowledge.retrieval import rank

    backend = backend_for(connection, table="knowledge_test_index")
    backend.create_isolated(connection)
    texts = {1: "Collecte des encombrants.", 2: "Collecte des ordures.", 3: "Tri des ordures."}
    texts.update({i: f"Collecte numéro {i} du quartier." for i in range(4, 12)})
    rows = [(i, analyse(text)) for i, text in texts.items()]
    backend.add(connection, rows, leads=[None] * len(rows))
    settings.KNOWLEDGE_DENSE = False
    question = "collecte des ordures"
    everything = [row for row, _ in rank(question, 20, backend=backend)]
    assert everything[:2] == [2, 3] and len(everything) == len(texts)
    settings.KNOWLEDGE_CANDIDATE_POSTINGS = 2  # "ordur" (2 rows) fits, "collect" (10) does not
    assert [row for row, _ in rank(question, 20, backend=backend)] == [2, 3]


@pytest.mark.postgres
def test_it_keeps_document_frequencies_in_step_with_the_postings():
    def kept_and_counted():
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, df FROM knowledge_posting_df WHERE df > 0")
            kept = dict(cursor.fetchall())
            cursor.execute("SELECT term, count(*) FROM knowledge_posting GROUP BY term")
            return kept, dict(cursor.fetchall())

    first = add_document(b"Les ramoneurs passent en mars.", "ramonage.md")
    add_document(b"Les ramoneurs passent aussi en avril.", "avril.md")
    kept, counted = kept_and_counted()
    assert kept == counted and kept[french_analyzer("ramoneurs")[0]] == 2
    first.delete()  # the postings go by cascade from the index's chunk table
    kept, counted = kept_and_counted()
    assert kept == counted and kept[french_analyzer("ramoneurs")[0]] == 1
