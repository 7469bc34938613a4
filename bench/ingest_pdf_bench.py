"""Time the ingestion of a generated 100-page French PDF (target: <= 20 s on 2 cores).

Usage: .venv/bin/python bench/ingest_pdf_bench.py [--pages 100]
Runs against a throw-away SQLite database (or, with DATABASE_URL, inside a transaction that
is rolled back) and prints one JSON line: pages, chunks, pdf_bytes, generate_s, ingest_s.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBJECTS = [
    "La mairie",
    "Le conseil municipal",
    "La médiathèque",
    "Le centre communal d'action sociale",
    "L'office de tourisme",
    "Le service des sports",
    "La police municipale",
]
VERBS = ["organise", "propose", "rappelle", "annonce", "met en place", "prolonge", "ouvre"]
OBJECTS = [
    "un atelier numérique pour les seniors",
    "la collecte des encombrants",
    "le marché nocturne du port",
    "des permanences pour les démarches en ligne",
    "une navette gratuite vers la plage",
    "les inscriptions à la cantine scolaire",
    "un concours de photographie sur le littoral",
    "la réfection de la digue",
]
WHEN = [
    "chaque mardi matin",
    "du 3 au 14 juillet",
    "le premier samedi du mois",
    "pendant les vacances scolaires",
    "à partir du 2 septembre",
    "tous les jours de 9 h à 12 h",
]
DETAILS = [
    "Renseignements à l'accueil de la mairie.",
    "L'inscription est gratuite.",
    "Places limitées, pensez à réserver.",
    "Accès possible aux personnes à mobilité réduite.",
    "Un justificatif de domicile est demandé.",
    "Le stationnement est gratuit sur place.",
]


def french_page(rng: random.Random, number: int) -> str:
    lines = [f"Port-Lumière Magazine - page {number}", ""]
    for _ in range(6):
        sentences = [
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}. "
            f"{rng.choice(DETAILS)}"
            for _ in range(3)
        ]
        lines += [" ".join(sentences), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="arcachat-bench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(Path(workdir) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from tests.support.documents import add_document, make_pdf

    settings.MEDIA_ROOT = Path(workdir) / "media"
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    started = time.perf_counter()
    data = make_pdf([french_page(rng, n) for n in range(1, args.pages + 1)])
    generate_s = time.perf_counter() - started
    with transaction.atomic():
        started = time.perf_counter()
        doc = add_document(data, "magazine-bench.pdf", kind="magazine")
        ingest_s = time.perf_counter() - started
        chunks = doc.chunks.count()
        transaction.set_rollback(True)
    result = {
        "pages": doc.progress_total,
        "status": doc.status,
        "chunks": chunks,
        "pdf_bytes": len(data),
        "generate_s": round(generate_s, 2),
        "ingest_s": round(ingest_s, 2),
        "database": connection.vendor,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
