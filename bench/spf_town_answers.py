"""Offline answers on another domain: service-public.fr fiches loaded as a town's documents.

The dev sets of the offline answerer are questions on the demo town, whose guides have
sections and lists. Here the documents are plain texts without headings (the SPF benchmark of
/work/shared/datasets/spf, read where it lies, never copied): its 535 question-answer fiches
and a seeded sample of the other fiches are ingested as text documents into a scratch SQLite
database, then each dev question goes through the chat's path (knowledge.prompt.assemble,
then the offline extraction). A question is answered by its `fiche` (see the dataset's README).

    .venv/bin/python bench/spf_town_answers.py [--distractors 600] [--questions-out F]
        [--dataset ../shared/datasets/spf]

Prints one JSON line: `top_right`, the share of questions whose first passage found is of the
right fiche (the search); `first_right`, whose first source cited by the answer is; `any_right`,
whose cited sources include it; `covered`, answered rather than "not covered"; and the same
first three for each hash half of the questions (the split of `retrieval_bench --folds`).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path

SPF = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "spf"
TODAY = dt.date(2026, 11, 2)


def setup(scratch: Path) -> None:
    """Django on a scratch SQLite database and media folder (the town's are never touched)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'spf.db'}"
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load(dataset: Path, distractors: int) -> dict[int, str]:
    """Ingest the fiches; the fiche of each document's primary key."""
    from django.core.files.base import ContentFile

    from knowledge.ingest import content_hash, ingest_document
    from knowledge.models import Document

    rows = [json.loads(line) for line in (dataset / "corpus.jsonl").open(encoding="utf-8")]
    answers = [r for r in rows if not r["title"]]
    others = [r for r in rows if r["title"]]
    fiche_of = {}
    for row in answers + random.Random(1).sample(others, min(distractors, len(others))):
        body = row["text"].encode()
        title = row["title"] or row["text"].split("\n")[0]
        doc = Document(
            title=title[:300],
            content_hash=content_hash(body + row["id"].encode()),
            original_name=f"{row['id']}.txt",
            published_on=TODAY,
        )
        doc.file.save(f"{row['id']}.txt", ContentFile(body), save=False)
        doc.save()
        ingest_document(doc.pk)
        fiche_of[doc.pk] = row["fiche"]
    return fiche_of


def ask(dataset: Path, fiche_of: dict[int, str], out) -> list[dict]:
    from knowledge.prompt import assemble

    rows = []
    for line in (dataset / "questions_dev.jsonl").open(encoding="utf-8"):
        question = json.loads(line)
        request = assemble(question["question"], [], TODAY)
        extraction = request.extract()
        found = [fiche_of.get(p.document_id) for p in request.passages]
        cited = [fiche_of.get(request.passages[n - 1].document_id) for n, *_ in extraction.sources]
        row = {"fiche": question["fiche"], "found": found, "cited": cited}
        row["covered"] = extraction.covered
        rows.append(row)
        if out:
            out.write(json.dumps({"question": question["question"], **row}) + "\n")
    return rows


def shares(rows: list[dict]) -> dict:
    n = len(rows) or 1
    return {
        "n": len(rows),
        "top_right": round(sum(r["found"][:1] == [r["fiche"]] for r in rows) / n, 3),
        "first_right": round(sum(r["cited"][:1] == [r["fiche"]] for r in rows) / n, 3),
        "any_right": round(sum(r["fiche"] in r["cited"] for r in rows) / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distractors", type=int, default=600)
    parser.add_argument("--questions-out", type=argparse.FileType("w"))
    parser.add_argument("--dataset", type=Path, default=SPF)
    options = parser.parse_args()
    dataset = options.dataset.resolve()
    if not (dataset / "corpus.jsonl").exists():
        sys.exit(f"{dataset}: no corpus.jsonl here (the SPF dataset: see its README).")
    with tempfile.TemporaryDirectory() as scratch:
        setup(Path(scratch))
        rows = ask(dataset, load(dataset, options.distractors), options.questions_out)
    summary = shares(rows)
    summary["covered"] = round(sum(r["covered"] for r in rows) / (len(rows) or 1), 3)
    from knowledge.evaluation import fold_of  # retrieval_bench's halves

    summary["halves"] = [shares([r for r in rows if fold_of(r["fiche"], 2) == h]) for h in (0, 1)]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
