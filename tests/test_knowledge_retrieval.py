"""Retrieval: French analysis, lead vectors fused with BM25F, expiry, both backends, bench."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection

from knowledge.analysis import french_analyzer
from knowledge.index import backend_for
from knowledge.models import Document
from knowledge.retrieval import search
from tests.support.documents import add_document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2026, 11, 21)


def test_it_folds_accents_splits_elisions_and_stems_french():
    assert french_analyzer("L'hôpital") == french_analyzer("hopital")
    assert french_analyzer("les médiathèques") == french_analyzer("Médiathèque")
    assert french_analyzer("qu'est-ce que c'est ?") == []


def test_it_tells_the_town_hall_from_the_mayor():
    assert french_analyzer("la mairie") == french_analyzer("les Mairies")
    assert french_analyzer("la mairie") != french_analyzer("le maire")
    assert french_analyzer("le maire") == french_analyzer("Maires")


def test_it_keeps_the_summer_but_not_the_past_participle():
    summer = french_analyzer("en été")
    assert summer == french_analyzer("L'été") == french_analyzer("horaires d'ete")[1:]
    assert summer == french_analyzer("Cet été") and summer != []
    assert french_analyzer("La navette a été supprimée") == french_analyzer("navette supprimée")


def _events(title: str, until: dt.date, text: str) -> Document:
    return add_document(
        text.encode(), f"{title}.md", title=title, kind="events_guide", valid_until=until
    )


def test_it_waits_for_a_document_to_come_into_force():
    december = add_document(
        "Marché de Noël place du Port, du 12 au 24 décembre.".encode(),
        "noel.md",
        title="Agenda de décembre",
        kind="events_guide",
        valid_from=dt.date(2026, 12, 1),
    )
    assert search("marché de Noël", today=dt.date(2026, 11, 30)) == []
    assert [p.document_id for p in search("marché de Noël", today=dt.date(2026, 12, 1))] == [
        december.pk
    ]
    assert not Document.objects.servable(dt.date(2026, 11, 30)).filter(pk=december.pk)


def test_it_skips_passages_of_an_expired_events_guide():
    old = _events(
        "Agenda d'octobre", dt.date(2026, 10, 31), "Concert de jazz sur le port le 12 octobre."
    )
    current = _events(
        "Agenda de novembre", dt.date(2026, 11, 30), "Concert de jazz à la chapelle le 28 novembre."
    )
    found = [p.document_id for p in search("concert de jazz", today=TODAY)]
    assert found == [current.pk]
    assert old.pk in [p.document_id for p in search("concert de jazz", today=dt.date(2026, 10, 15))]


def test_it_serves_only_ready_documents():
    add_document("Le marché de Noël ouvre le 5 décembre.".encode(), "noel.md", ingest=False)
    assert search("marché de Noël", today=TODAY) == []


def test_it_ranks_the_document_that_matches_best_first():
    add_document(b"# Piscine\nLa piscine ferme pour vidange en janvier.", "piscine.md")
    target = add_document(
        "# Bibliothèque\nLa médiathèque prête des liseuses gratuitement.".encode(), "media.md"
    )
    passages = search("Est-ce que la médiathèque prête des liseuses ?", today=TODAY)
    assert passages[0].document_id == target.pk
    assert passages[0].heading == "Bibliothèque" and passages[0].score > 0


def test_it_removes_index_rows_when_a_document_is_deleted():
    doc = add_document(b"Les ramoneurs passent en mars.", "ramonage.md")
    chunk_ids = list(doc.chunks.values_list("pk", flat=True))
    doc.delete()
    backend = backend_for(connection)
    assert backend.search(connection, french_analyzer("ramoneurs mars"), 5) == []
    assert chunk_ids


@pytest.mark.postgres
def test_it_follows_deleted_and_truncated_chunks_in_the_postgres_index():
    def rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM knowledge_posting_doc")
            docs = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM knowledge_posting")
            return docs, cursor.fetchone()[0]

    doc = add_document(b"Les ramoneurs passent en mars.", "ramonage.md")
    add_document("Le marché a lieu le samedi.".encode(), "marche.md")
    assert all(rows())
    before, deleted = rows(), doc.chunks.count()
    doc.delete()
    after = rows()
    assert after[0] == before[0] - deleted and after[1] < before[1]
    with connection.cursor() as cursor:  # what Django's test flush does
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # inside the test's transaction
        cursor.execute("TRUNCATE knowledge_chunk CASCADE")
    assert rows() == (0, 0)


def test_it_benchmarks_an_isolated_index_without_touching_the_town(tmp_path, capsys):
    town = add_document(b"Le port de plaisance accueille les voiliers.", "port.md")
    corpus = tmp_path / "corpus.jsonl"
    questions = tmp_path / "questions.jsonl"
    docs = [
        {
            "id": "a",
            "fiche": "F1",
            "title": "Carte d'identité",
            "text": "Renouveler sa carte d'identité en mairie.",
        },
        {
            "id": "b",
            "fiche": "F2",
            "title": "Passeport",
            "text": "Demander un passeport biométrique.",
        },
        {
            "id": "c",
            "fiche": "F3",
            "title": "Permis",
            "text": "Échanger un permis de conduire étranger.",
        },
    ]
    corpus.write_text("\n".join(json.dumps(d) for d in docs))
    questions.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"question": "Comment renouveler ma carte d'identité ?", "fiche": "F1"},
                {"question": "Échange du permis de conduire", "fiche": "F3"},
            ]
        )
    )
    call_command("retrieval_bench", corpus=str(corpus), questions=str(questions))
    result = json.loads(capsys.readouterr().out.strip())
    assert result["n"] == 2 and result["recall@1"] == 1.0 and result["mrr"] == 1.0
    assert set(result) >= {"recall@5", "recall@10", "p50_ms", "p95_ms", "backend"}
    assert [p.document_id for p in search("voiliers port", today=TODAY)] == [town.pk]
    assert search("passeport biométrique", today=TODAY) == []


@pytest.mark.postgres
def test_it_uses_the_postgres_backend_with_bm25_on_postgresql():
    assert backend_for(connection).name == "postgres-postings"
    add_document("Les élections municipales ont lieu en mars.".encode(), "elections.md")
    assert search("élection municipale", today=TODAY)[0].title == "elections.md"


def test_it_weights_terms_in_the_lead_of_a_passage(settings):
    from knowledge.scoring import Bm25F, Candidate, CorpusStats

    filler = ["commun"] * 60
    early = Candidate(1, ["piscin", *filler])
    late = Candidate(2, [*filler, "piscin"])
    stats = CorpusStats(n=100, avgdl=61, df={"piscin": 2})
    ranked = Bm25F(lead_weight=1.0).score(["piscin"], [late, early], stats)
    assert [row for row, _ in ranked] == [1, 2] and ranked[0][1] > ranked[1][1]
    flat = Bm25F(lead_weight=0.0).score(["piscin"], [late, early], stats)
    assert flat[0][1] == flat[1][1]


TOWN_NOTES = {
    1: "Déchets ménagers : la collecte des ordures a lieu le lundi et le jeudi matin. "
    "Sortez votre bac la veille au soir.",
    2: "La collecte de sang organisée par l'Établissement français du sang aura lieu à la salle "
    "des fêtes le 12 mars.",
    3: "La médiathèque prête des livres, des liseuses et des jeux de société.",
    4: "Piscine municipale : fermeture pour vidange du 2 au 15 janvier.",
    5: "Le marché de Noël ouvre le 5 décembre sur la place de la mairie.",
    6: "Inscriptions à la cantine scolaire : le dossier est à déposer en mairie avant la rentrée.",
}


@pytest.fixture
def isolated_notes():
    """The notes above in an isolated index of the backend in use (rolled back after)."""
    from knowledge.analysis import analyse

    backend = backend_for(connection, table="knowledge_test_index")
    backend.create_isolated(connection)
    backend.add(connection, [(i, analyse(text)) for i, text in TOWN_NOTES.items()])
    return backend


def test_it_finds_the_passage_that_means_the_question_through_lead_vectors(isolated_notes):
    """ "poubelles" is not in the bin collection note: BM25F alone prefers the blood drive
    (the search adds "ordures ménagères" for it too: knowledge.synonyms)."""
    from knowledge.retrieval import rank

    question = "Quand passe la collecte des poubelles ?"
    assert [row for row, _ in rank(question, 5, backend=isolated_notes)] == [1, 2]
    terms = french_analyzer(question)
    lexical = isolated_notes.search(connection, terms, 5)  # no question vector: BM25F only
    assert [row for row, _ in lexical] == [2, 1]


def test_it_ranks_alike_on_sqlite_and_postgresql(isolated_notes):
    """Literal expectations: the suite runs on both databases, so both rank exactly so."""
    from knowledge.retrieval import rank

    found = {
        q: [(row, round(score, 4)) for row, score in rank(q, 5, backend=isolated_notes)]
        for q in (
            "Quand passe la collecte des poubelles ?",
            "Que faut-il déposer en mairie pour la cantine ?",
            "Fermeture de la piscine et de la médiathèque en janvier ?",
            "Marché, collecte et fêtes : le programme de mars à la mairie",
        )
    }
    assert found == EXPECTED_RANKINGS


EXPECTED_RANKINGS = {
    "Quand passe la collecte des poubelles ?": [(1, 0.9903), (2, 0.4032)],
    "Que faut-il déposer en mairie pour la cantine ?": [(6, 1.0378), (5, 0.2934)],
    "Fermeture de la piscine et de la médiathèque en janvier ?": [(4, 0.8657), (3, 0.466)],
    "Marché, collecte et fêtes : le programme de mars à la mairie": [
        (2, 0.6468),
        (5, 0.5873),
        (1, 0.3878),
        (6, 0.3518),
    ],
}


def test_it_stores_a_lead_vector_per_chunk_and_removes_it_with_the_chunk():
    backend = backend_for(connection)
    doc = add_document("# Déchets\nLe camion des ordures passe le lundi.".encode(), "dechets.md")
    ids = list(doc.chunks.values_list("pk", flat=True))
    assert ids and set(backend.vectors_of(connection, ids)) == set(ids)
    assert backend.missing_vectors(connection) == []
    assert search("Quand passe le camion des poubelles ?", today=TODAY)[0].document_id == doc.pk
    doc.delete()
    assert backend.vectors_of(connection, ids) == {}
    assert search("Quand passe le camion des poubelles ?", today=TODAY) == []


def test_it_keeps_lead_vectors_in_step_when_a_new_issue_replaces_the_old_one():
    backend = backend_for(connection)
    old = add_document("Le marché nocturne a lieu le jeudi sur le port.".encode(), "juin.md")
    old_ids = list(old.chunks.values_list("pk", flat=True))
    new = add_document(
        "Le marché nocturne déménage place de la mairie le vendredi.".encode(),
        "juillet.md",
        replaces=old,
    )
    new_ids = list(new.chunks.values_list("pk", flat=True))
    assert backend.vectors_of(connection, old_ids) == {}
    assert set(backend.vectors_of(connection, new_ids)) == set(new_ids)
    assert [p.document_id for p in search("Quand a lieu le marché nocturne ?", today=TODAY)] == [
        new.pk
    ]


def test_it_backfills_lead_vectors_of_chunks_indexed_before_them():
    import importlib

    from django.apps import apps

    from knowledge.retrieval import index_terms

    doc = add_document(b"Le ramonage des cheminees est obligatoire.", "ramonage.md")
    chunk = doc.chunks.get()
    backend = backend_for(connection)
    backend.remove(connection, [chunk.pk])
    plain = list(index_terms(doc.title, chunk.heading, chunk.text))  # terms without their text
    backend.add(connection, [(chunk.pk, plain)])
    assert backend.missing_vectors(connection) == [chunk.pk]
    migration = importlib.import_module("knowledge.migrations.0003_lead_vectors")
    migration.add_vectors(apps, type("Editor", (), {"connection": connection})())
    assert backend.missing_vectors(connection) == []


def test_it_indexes_passages_again_when_the_analyzer_changes(settings):
    import importlib

    from django.apps import apps

    settings.KNOWLEDGE_DENSE = False  # the words alone: a lead vector would find it anyway
    doc = add_document("# Accueil\nLa mairie ouvre à 8 h 30.".encode(), "accueil.md")
    chunk = doc.chunks.get()
    backend = backend_for(connection)
    backend.remove(connection, [chunk.pk])
    stale = ["mair" if term == "mairie" else term for term in french_analyzer(chunk.text)]
    backend.add(connection, [(chunk.pk, stale)])  # as the analyzer before 0011 indexed it
    assert search("mairie", today=TODAY) == []
    migration = importlib.import_module("knowledge.migrations.0011_reindex_town_hall_stem")
    migration.reindex(apps, type("Editor", (), {"connection": connection})())
    assert [p.chunk_id for p in search("mairie", today=TODAY)] == [chunk.pk]


def test_it_ranks_by_bm25f_alone_when_dense_vectors_are_off(settings, isolated_notes):
    from knowledge import vectors
    from knowledge.retrieval import rank

    settings.KNOWLEDGE_DENSE = False
    assert vectors.encode_query("collecte des poubelles") is None
    # the encoder puts the bins first (its "camion"); the words alone, the blood drive
    ranked = rank("Quand passe le camion de collecte ?", 5, backend=isolated_notes)
    assert [row for row, _ in ranked] == [2, 1]
    settings.KNOWLEDGE_DENSE = True
    ranked = rank("Quand passe le camion de collecte ?", 5, backend=isolated_notes)
    assert [row for row, _ in ranked] == [1, 2]


def test_it_adds_the_weighted_cosine_to_bm25f_over_its_ceiling():
    import numpy as np

    from knowledge.scoring import Candidate, CorpusStats, Hybrid

    stats = CorpusStats(n=100, avgdl=10, df={"collect": 5})
    near, far = np.zeros(512, np.float16), np.zeros(512, np.float16)
    near[0], far[1] = 1, 1
    query = np.zeros(512, np.float32)
    query[0] = 1
    same = ["collect", *["mot"] * 9]
    candidates = [Candidate(1, same, far.tobytes()), Candidate(2, same, near.tobytes())]
    hybrid = Hybrid(dense_weight=1.0)
    ranked = hybrid.score(["collect"], candidates, stats, query)
    ceiling = hybrid.ceiling(["collect"], stats)
    lexical = dict(Hybrid(dense_weight=0.0).score(["collect"], candidates, stats, query))
    assert [row for row, _ in ranked] == [2, 1]
    assert ranked[0][1] == pytest.approx(lexical[2] / ceiling + 1.0)
    assert ranked[1][1] == pytest.approx(lexical[1] / ceiling)


def test_it_counts_the_document_title_once_in_a_chunks_terms():
    from knowledge.retrieval import index_terms

    terms = index_terms(
        "Horaires de la mairie", "Horaires de la mairie > Numéros utiles", "Le 15 : SAMU."
    )
    assert terms.count("horair") == 1 and "numeros" in terms
    assert index_terms("Guide", "Autre titre", "Texte").count("guid") == 1
