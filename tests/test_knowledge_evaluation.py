"""Retrieval benchmark: metrics, reproducible folds, comparison on halves, the dense switch."""

import json

import pytest
from django.core.management import CommandError, call_command

from knowledge.evaluation import fold_of, metrics, per_fold, position, random_halves

DOCS = [
    ("F1", "Carte d'identité", "Renouveler sa carte d'identité en mairie."),
    ("F2", "Passeport", "Demander un passeport biométrique en mairie."),
    ("F3", "Permis", "Échanger un permis de conduire étranger."),
    ("F4", "Cantine", "Inscrire son enfant à la cantine scolaire."),
]
QUESTIONS = [
    ("Comment renouveler ma carte d'identité ?", "F1"),
    ("Où demander un passeport ?", "F2"),
    ("Échange du permis de conduire", "F3"),
    ("Inscription à la cantine de l'école", "F4"),
]


def test_it_ranks_the_right_key_among_distinct_keys():
    assert position(["F2", "F2", "F1"], "F1") == 2
    assert position(["F2"], "F1") is None
    assert metrics([1, 2, None, 6]) == {
        "recall@1": 0.25,
        "recall@5": 0.5,
        "recall@10": 0.75,
        "mrr": round((1 + 1 / 2 + 1 / 6) / 4, 3),
    }


def test_it_puts_a_key_in_the_same_fold_on_every_run():
    keys = [f"F{i}" for i in range(200)]
    halves = [fold_of(key, 2) for key in keys]
    assert halves == [fold_of(key, 2) for key in reversed(keys)][::-1]
    assert 60 < sum(halves) < 140  # a hash, not an alternation or a constant
    folds = per_fold([1] * 100 + [None] * 100, keys, 2)
    assert sum(f["n"] for f in folds) == 200 and {f["fold"] for f in folds} == {0, 1}
    for fold in folds:
        hits = sum(1 for i, key in enumerate(keys) if fold_of(key, 2) == fold["fold"] and i < 100)
        assert fold["recall@1"] == round(hits / fold["n"], 3)


def test_it_counts_the_splits_where_a_ranker_wins_on_both_halves():
    old = [2] * 40
    better = random_halves([1] * 40, old, repeats=20)
    assert better["mrr_up_on_both_halves"] == 1.0 and better["mean_mrr_delta"] == 0.5
    one_lucky = random_halves([1] + [2] * 39, old, repeats=20)
    assert one_lucky["mrr_up_on_both_halves"] == 0.0  # one question helps one half at most
    assert random_halves(old, old, repeats=5)["mean_mrr_delta"] == 0.0
    with pytest.raises(ValueError):
        random_halves([1], old)


@pytest.fixture
def files(tmp_path):
    corpus, questions = tmp_path / "corpus.jsonl", tmp_path / "questions.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"fiche": f, "title": t, "text": x}) for f, t, x in DOCS)
    )
    questions.write_text("\n".join(json.dumps({"question": q, "fiche": f}) for q, f in QUESTIONS))
    return {"corpus": str(corpus), "questions": str(questions)}


def _bench(capsys, **options) -> dict:
    call_command("retrieval_bench", **options)
    return json.loads(capsys.readouterr().out.strip())


@pytest.mark.django_db
def test_it_reports_each_fold_and_can_answer_one_fold_only(files, capsys, tmp_path):
    result = _bench(capsys, folds=2, **files)
    assert [f["n"] for f in result["folds"]] == [
        sum(fold_of(f, 2) == k for _, f in QUESTIONS) for k in (0, 1)
    ]
    out = tmp_path / "positions.jsonl"
    only = _bench(capsys, folds=2, fold=1, positions_out=str(out), **files)
    wanted = sorted(f for _, f in QUESTIONS if fold_of(f, 2) == 1)
    assert only["n"] == len(wanted) and "folds" not in only
    assert sorted(json.loads(line)["fiche"] for line in out.read_text().splitlines()) == wanted
    with pytest.raises(CommandError):
        call_command("retrieval_bench", folds=2, fold=2, **files)


@pytest.mark.django_db
def test_it_compares_a_run_with_an_earlier_one_on_random_halves(files, capsys, tmp_path):
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text("\n".join(json.dumps({"fiche": f, "position": 3}) for _, f in QUESTIONS))
    result = _bench(capsys, against=str(earlier), repeats=10, **files)
    assert result["recall@1"] == 1.0  # every question finds its fiche first here
    assert result["against"]["mrr_up_on_both_halves"] == 1.0
    assert result["against"]["mean_mrr_delta"] == pytest.approx(1 - 1 / 3, abs=1e-3)
    earlier.write_text(json.dumps({"fiche": "F9", "position": 1}))
    with pytest.raises(CommandError):
        call_command("retrieval_bench", against=str(earlier), **files)


@pytest.mark.django_db
def test_it_follows_knowledge_dense_unless_a_flag_says_otherwise(files, capsys, settings):
    settings.KNOWLEDGE_DENSE = False  # what KNOWLEDGE_DENSE=0 in the environment gives
    assert _bench(capsys, **files)["dense"] is False
    assert _bench(capsys, dense=True, **files)["dense"] is True
    settings.KNOWLEDGE_DENSE = True
    assert _bench(capsys, **files)["dense"] is True
    assert _bench(capsys, lexical=True, **files)["dense"] is False
