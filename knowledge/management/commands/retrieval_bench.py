"""Measure retrieval quality and speed on a corpus JSONL, in an isolated temporary index."""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from knowledge import vectors
from knowledge.analysis import analyse
from knowledge.evaluation import fold_of, metrics, per_fold, position, random_halves
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
    return metrics([position(r, f) for r, f in zip(ranked_fiches, expected, strict=True)])


def percentile(sorted_values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values lie (0.0 for none); the same rule
    as the figures already in docs/benchmarks.md, so they stay comparable."""
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, int(len(sorted_values) * share) - 1)]


def index_rows(backend, rows) -> float:
    """Add (row id, analysed terms) rows to the isolated index; seconds spent."""
    started = time.perf_counter()
    backend.add(connection, rows)
    return time.perf_counter() - started


def answer(backend, questions: list[dict], key_of: dict, depth: int, cpu: list | None = None):
    """(positions of the right key, per-question milliseconds), after 5 warm-up queries.

    `cpu` collects the calling thread's CPU milliseconds per question (SQLite's work
    included, not the encoder's worker thread nor a database server): a figure that a busy
    machine inflates less than wall time."""
    for question in questions[:5]:
        rank(question["question"], depth, backend=backend)
    positions, timings = [], []
    for question in questions:
        started, cpu_started = time.perf_counter(), time.thread_time()
        hits = rank(question["question"], depth, backend=backend)
        timings.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - cpu_started) * 1000)
        positions.append(position([key_of[row_id] for row_id, _ in hits], question["fiche"]))
    return positions, timings


def dense_override(options) -> dict:
    """The explicit --dense/--lexical choice; without one, KNOWLEDGE_DENSE (its environment
    variable) decides, and the result line says which ranking ran."""
    if options["lexical"]:
        return {"KNOWLEDGE_DENSE": False}
    if options["dense"]:
        return {"KNOWLEDGE_DENSE": True}
    return {}


class Command(BaseCommand):
    help = "Load a corpus JSONL into an isolated index, answer the questions, print one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", required=True)
        parser.add_argument("--questions", required=True)
        parser.add_argument("--depth", type=int, default=50, help="documents ranked per question")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--lexical", action="store_true", help="BM25F alone (overrides KNOWLEDGE_DENSE)"
        )
        choice.add_argument(
            "--dense", action="store_true", help="hybrid ranking (overrides KNOWLEDGE_DENSE)"
        )
        parser.add_argument(
            "--folds", type=int, default=2, help="report each of K folds (hash of the fiche)"
        )
        parser.add_argument(
            "--fold", type=int, help="answer only the questions of this fold (0..K-1)"
        )
        parser.add_argument("--positions-out", help="write each question's position (JSONL)")
        parser.add_argument(
            "--against", help="positions of an earlier run: compare on random halves"
        )
        parser.add_argument("--repeats", type=int, default=200, help="random halves compared")

    def handle(self, *args, **options):
        if options["folds"] < 1 or not 0 <= (options["fold"] or 0) < options["folds"]:
            raise CommandError("--fold must lie in 0..K-1 with --folds K >= 1.")
        with override_settings(**dense_override(options)):
            if options["dense"] and not vectors.enabled():
                raise CommandError("--dense: the sentence encoder is not installed.")
            result = self.run(options)
        self.stdout.write(json.dumps(result))

    def run(self, options) -> dict:
        corpus = read_jsonl(options["corpus"])
        questions = read_jsonl(options["questions"])
        if options["fold"] is not None:
            questions = [
                q for q in questions if fold_of(q["fiche"], options["folds"]) == options["fold"]
            ]
        backend = backend_for(connection, table=BENCH_TABLE)
        key_of = {number: doc["fiche"] for number, doc in enumerate(corpus, start=1)}
        rows = [
            (number, analyse(f"{doc.get('title', '')}\n{doc['text']}"))
            for number, doc in enumerate(corpus, start=1)
        ]
        with transaction.atomic():
            backend.create_isolated(connection)
            index_s = index_rows(backend, rows)
            positions, timings = answer(backend, questions, key_of, options["depth"])
            transaction.set_rollback(True)  # the isolated index leaves nothing behind
        return self.summary(options, questions, positions, timings, backend, index_s)

    def summary(self, options, questions, positions, timings, backend, index_s) -> dict:
        keys = [q["fiche"] for q in questions]
        timings.sort()
        result = metrics(positions)
        result.update(
            p50_ms=round(statistics.median(timings), 2) if timings else 0.0,
            p95_ms=round(percentile(timings, 0.95), 2),
            n=len(questions),
            backend=backend.name,
            dense=vectors.enabled(),
            index_s=round(index_s, 1),
        )
        if options["fold"] is None and options["folds"] > 1:
            result["folds"] = per_fold(positions, keys, options["folds"])
        if options["positions_out"]:
            with open(options["positions_out"], "w", encoding="utf-8") as handle:
                for question, pos in zip(questions, positions, strict=True):
                    handle.write(json.dumps({"fiche": question["fiche"], "position": pos}) + "\n")
        if options["against"]:
            earlier = {row["fiche"]: row["position"] for row in read_jsonl(options["against"])}
            if set(earlier) != set(keys):
                raise CommandError("--against: that run answered other questions.")
            old = [earlier[key] for key in keys]
            result["against"] = random_halves(positions, old, options["repeats"])
        return result
