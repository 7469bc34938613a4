"""Measure retrieval quality and speed on a corpus JSONL, in an isolated temporary index."""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from knowledge import vectors
from knowledge.analysis import analyse
from knowledge.index import backend_for
from knowledge.retrieval import rank

BENCH_TABLE = "knowledge_bench_index"


def read_jsonl(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc


def evaluate(ranked_fiches: list[list[str]], expected: list[str]) -> dict:
    """recall@1/5/10 and MRR after collapsing each ranking to distinct fiches in order."""
    hits = {1: 0, 5: 0, 10: 0}
    rr = 0.0
    for ranking, fiche in zip(ranked_fiches, expected, strict=True):
        distinct = list(dict.fromkeys(ranking))
        if fiche in distinct:
            position = distinct.index(fiche) + 1
            rr += 1 / position
            for k in hits:
                hits[k] += position <= k
    n = len(expected) or 1
    return {
        "recall@1": round(hits[1] / n, 3),
        "recall@5": round(hits[5] / n, 3),
        "recall@10": round(hits[10] / n, 3),
        "mrr": round(rr / n, 3),
    }


class Command(BaseCommand):
    help = "Load a corpus JSONL into an isolated index, answer the questions, print one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", required=True)
        parser.add_argument("--questions", required=True)
        parser.add_argument("--depth", type=int, default=50, help="documents ranked per question")
        parser.add_argument(
            "--lexical", action="store_true", help="BM25F alone: no lead vectors (for comparison)"
        )

    def handle(self, *args, **options):
        with override_settings(KNOWLEDGE_DENSE=not options["lexical"]):
            result = self.run(options)
        self.stdout.write(json.dumps(result))

    def run(self, options) -> dict:
        corpus = read_jsonl(options["corpus"])
        questions = read_jsonl(options["questions"])
        backend = backend_for(connection, table=BENCH_TABLE)
        fiche_of = {}
        with transaction.atomic():
            backend.create_isolated(connection)
            rows = []
            for number, doc in enumerate(corpus, start=1):
                fiche_of[number] = doc["fiche"]
                rows.append((number, analyse(f"{doc.get('title', '')}\n{doc['text']}")))
            started = time.perf_counter()
            backend.add(connection, rows)
            index_s = time.perf_counter() - started
            for question in questions[:5]:  # warm caches before timing
                rank(question["question"], options["depth"], backend=backend)
            rankings, timings = [], []
            for question in questions:
                started = time.perf_counter()
                hits = rank(question["question"], options["depth"], backend=backend)
                timings.append((time.perf_counter() - started) * 1000)
                rankings.append([fiche_of[row_id] for row_id, _ in hits])
            transaction.set_rollback(True)  # the isolated index leaves nothing behind
        result = evaluate(rankings, [q["fiche"] for q in questions])
        timings.sort()
        result.update(
            p50_ms=round(statistics.median(timings), 2) if timings else 0.0,
            p95_ms=round(timings[max(0, int(len(timings) * 0.95) - 1)], 2) if timings else 0.0,
            n=len(questions),
            backend=backend.name,
            dense=vectors.enabled(),
            index_s=round(index_s, 1),
        )
        return result
