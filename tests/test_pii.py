"""The server-side personal-data guard (pii/): kinds in French and English, check digits,
the town's public places left alone, masking, the JSON answer, the labelled set, loading."""

import json
import threading
from pathlib import Path

import pytest
import spacy.cli
from django.utils import translation
from django.utils.translation import gettext

from pii import KINDS, check, detect, engine, mask
from pii.checksums import iban_valid, luhn_valid, nir_valid

SENTENCES = Path(__file__).resolve().parent.parent / "bench" / "pii_sentences.jsonl"


def found(text: str, language: str = "fr") -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect(text, language)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (
            "Bonjour, je m'appelle Martine Delcourt et j'ai une question.",
            "person",
            "Martine Delcourt",
        ),
        ("Mon mari Gilbert ne peut plus conduire.", "person", "Gilbert"),
        (
            "J'habite 9 impasse des Goélands, le lampadaire est cassé.",
            "address",
            "9 impasse des Goélands",
        ),
        ("J'habite allée des Cormorans, quand passe le camion ?", "address", "allée des Cormorans"),
        ("Ma mère est née le 4 juillet 1939 à Brest.", "birthdate", "4 juillet 1939"),
        ("Écrivez-moi à odette.vasseur@exemple.fr merci.", "email", "odette.vasseur@exemple.fr"),
        ("Rappelez-moi au 06 71 28 44 90 svp.", "phone", "06 71 28 44 90"),
        ("Mon numéro de sécu : 1 85 05 78 006 084 91.", "nir", "1 85 05 78 006 084 91"),
        ("Sécu de ma mère 2 90 02 2A 004 012 18 (née en Corse).", "nir", "2 90 02 2A 004 012 18"),
        (
            "Mon RIB FR76 3000 6000 0112 3456 7890 189 pour la cantine.",
            "iban",
            "FR76 3000 6000 0112 3456 7890 189",
        ),
        ("Ma carte 4970 1012 3456 7893 a été refusée.", "card", "4970 1012 3456 7893"),
    ],
)
def test_it_finds_each_kind_in_french(text, kind, value):
    assert (kind, value) in found(text)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Hello, my name is Gwen Harper and I need a parking permit.", "person", "Gwen Harper"),
        ("We live at 5 rue des Goélands since last spring.", "address", "5 rue des Goélands"),
        ("My date of birth is 02/09/1944, can I get the senior pass?", "birthdate", "02/09/1944"),
        ("Please write to tom.baker@example.co.uk instead.", "email", "tom.baker@example.co.uk"),
        ("Call my son on +44 20 7946 0321 please.", "phone", "+44 20 7946 0321"),
        ("My French social security number is 185057800608491.", "nir", "185057800608491"),
        ("Refund to DE89 3704 0044 0532 0130 00 please.", "iban", "DE89 3704 0044 0532 0130 00"),
        ("I paid with card 4970-1012-3456-7893 twice.", "card", "4970-1012-3456-7893"),
    ],
)
def test_it_finds_each_kind_in_english(text, kind, value):
    assert (kind, value) in found(text, "en")


def test_it_finds_the_name_and_address_of_the_issue():
    text = "je suis Jeanne Martin, 12 rue du Port… j'ai une question sur les encombrants"
    assert found(text) == [("person", "Jeanne Martin"), ("address", "12 rue du Port")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Je suis joignable (06 48 15 16 23), merci.", "06 48 15 16 23"),
        ("Mon nouveau portable : 07 02 11 22 33.", "07 02 11 22 33"),  # a range not allocated yet
        ("Fixe : +33 (0)5 46 12 34 56.", "+33 (0)5 46 12 34 56"),
        ("Depuis l'étranger : 0033 6 48 15 16 23.", "0033 6 48 15 16 23"),
    ],
)
def test_it_reads_phone_numbers_by_their_shape(text, value):
    assert found(text) == [("phone", value)]


def test_it_checks_the_digits_of_nir_iban_and_card():
    assert nir_valid("1 85 05 78 006 084 91") and not nir_valid("1 85 05 78 006 084 92")
    assert nir_valid("2 90 02 2A 004 012 18") and not nir_valid("2 90 02 2B 004 012 18")
    assert iban_valid("FR76 3000 6000 0112 3456 7890 189")
    assert not iban_valid("FR76 3000 6000 0112 3456 7890 188")
    assert luhn_valid("4970 1012 3456 7893") and not luhn_valid("4970 1012 3456 7898")
    assert not luhn_valid("0000 0000 0000 0000")


@pytest.mark.parametrize(
    "text",
    [
        "Ma sécu : 1 85 05 78 006 084 92.",
        "Mon RIB FR76 3000 6000 0112 3456 7890 188 pour la cantine.",
        "Ma carte 4970 1012 3456 7898 a été refusée.",
        "Le dossier 2026-URB-00417 et la facture 0000000000 sont-ils traités ?",
        "Le numéro 00 12 34 56 78 et le SIRET 44306184100047.",
    ],
)
def test_it_ignores_numbers_whose_check_fails(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "La mairie est-elle rue de la Mairie ?",
        "Le marché de la place du Marché a-t-il lieu le dimanche ?",
        "À quelle heure ouvre la salle Jean Moulin ?",
        "Mon petit-fils est à l'école Jules Ferry, la cantine est-elle ouverte ?",
        "Y a-t-il des travaux avenue de la République cette semaine ?",
        "Bonjour Madame la Maire, quand tenez-vous votre permanence ?",
        "Madame la Maire, Hélène Varenne, reçoit-elle le samedi ?",
        "Est-ce que le CCAS est toujours au 12 rue des Tamaris ?",
        "La rue Victor Hugo sera-t-elle fermée pour le marché de Noël ?",
        "Le 14 juillet, le feu d'artifice part de l'esplanade des Sternes à 22 h ?",
        "J'ai rendez-vous le 5 janvier 2027 à 10 h pour ma carte d'identité.",
        "Bonjour, c'est Noël bientôt, la mairie décore-t-elle la place ?",
        "Hi, I'm British and I live in Port-Lumière: when is the market?",
        "Les horaires d'hiver de la piscine, s'il vous plaît, Port-Lumière.",
        "Joyeux Noël à toute l'équipe de la mairie !",
    ],
)
def test_it_leaves_the_towns_public_places_and_dates_alone(text):
    assert found(text) == []


def test_it_masks_every_span_and_keeps_the_rest():
    text = "Je suis Paul Girard, 3 rue du Sémaphore, tél. 06 71 28 44 90, né le 2 mai 1950."
    findings = detect(text)
    assert [f.kind for f in findings] == ["person", "address", "phone", "birthdate"]
    assert mask(text, findings, "en") == (
        "Je suis [name hidden], [address hidden], tél. [phone number hidden], "
        "né le [date of birth hidden]."
    )


def test_it_masks_in_the_page_language():
    text = "Je suis Paul Girard, tél. 06 71 28 44 90."
    masked = mask(text, detect(text), "fr")
    assert "[téléphone masqué]" in masked
    with translation.override("fr"):
        assert gettext("[name hidden]") in masked
    assert "Paul" not in masked and "06 71" not in masked


def test_it_answers_the_browser_with_utf16_offsets_and_the_masked_text():
    text = "🙂 Bonjour, je m'appelle Martine Delcourt."
    answer = check(text, "en")
    assert answer["kinds"] == ["person"]
    [span] = answer["findings"]
    utf16 = text.encode("utf-16-le")
    assert utf16[span["start"] * 2 : span["end"] * 2].decode("utf-16-le") == "Martine Delcourt"
    assert answer["masked"] == "🙂 Bonjour, je m'appelle [name hidden]."
    json.dumps(answer)  # ready for a JsonResponse


def test_it_lists_kinds_once_in_the_warnings_order():
    text = "a@b.fr, c@d.fr, Mme Odile Perrin, 06 71 28 44 90"
    assert check(text)["kinds"] == [k for k in KINDS if k in {"person", "email", "phone"}]


def test_it_finds_nothing_in_an_empty_message():
    assert detect("") == [] and detect("   \n") == []


def test_the_labelled_sentences_are_well_formed():
    rows = [json.loads(line) for line in SENTENCES.read_text(encoding="utf-8").splitlines()]
    assert sum(r["language"] == "fr" for r in rows) >= 150
    assert {r["language"] for r in rows} == {"fr", "en"}
    assert {r["split"] for r in rows} == {"dev", "heldout"}
    assert len({r["text"] for r in rows}) == len(rows)
    for row in rows:
        spans = sorted((s["start"], s["end"]) for s in row["spans"])
        for span in row["spans"]:
            assert span["kind"] in KINDS
            assert 0 <= span["start"] < span["end"] <= len(row["text"]), row
            piece = row["text"][span["start"] : span["end"]]
            assert piece == piece.strip(), row
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), row
    assert {s["kind"] for r in rows for s in r["spans"]} == set(KINDS)


def test_it_never_downloads_a_missing_model(monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("the guard tried to download a model")

    monkeypatch.setattr(spacy.cli, "download", no_download)
    with pytest.raises(RuntimeError, match="not installed"):
        engine.load("fr_core_news_not_installed")


def test_it_builds_the_analyzer_once_for_concurrent_first_checks(monkeypatch):
    built = []

    def slow_build(model):
        built.append(model)
        threading.Event().wait(0.05)
        return object(), object()

    monkeypatch.setattr(engine, "_build", slow_build)
    monkeypatch.setattr(engine, "_analyzers", {})
    start = threading.Barrier(8)
    results = []

    def first_check():
        start.wait()
        results.append(engine.load("some_model"))

    threads = [threading.Thread(target=first_check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["some_model"]
    assert len({id(r) for r in results}) == 1
