"""Retrieval at 10k-100k passages: latency, quality, ingestion throughput and index size.

Usage (one backend per run; SQLite by default, PostgreSQL with DATABASE_URL):
    .venv/bin/python bench/retrieval_scale.py [--sizes 4123,10000,100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/retrieval_scale.py

Corpus construction (at run time, from the SPF dataset read where it lies, never copied):
- every document of the SPF corpus once (4,123), so the answer documents — every document
  whose `fiche` is a question's — appear exactly once at every size and recall stays
  comparable with the 4k figures;
- then, up to the size asked, alternately:
  * a copy of a distractor document (a fiche no question asks for), with a new row id and
    the SAME fiche: the same page published twice, as town sites do. The copies crowd the
    candidate list (50 rows) exactly as real duplicates would, but collapse with their
    original in the metrics (rankings are collapsed to distinct fiches);
  * a shuffled distractor passage: 3 to 8 sentences drawn at random from random distractor
    documents, under a fiche of its own (`mix-N`), so it counts as a wrong answer. It has
    the corpus's vocabulary and statistics but no answer's subject;
  the random generator is seeded (--seed), so every run builds the same corpus.
Each size is built in the backend's isolated temporary index (the town's index is never
touched), twice: terms only (ingestion without vectors), then terms and lead vectors. The
second one answers the 268 dev questions, timed one by one after 5 warm-up questions
(analysis, question encoding, database, scoring: the chat's `rank()` path).

Prints one JSON line per size: n, recall@1/5/10, MRR, p50/p95 ms, ingestion rates
(passages/s: analysis, database writes with and without vectors, encoding of new texts,
and the end-to-end rate with and without vectors), index bytes per passage, process peak RSS,
and, as figures a busy machine inflates less than wall time, this thread's CPU per question
(p50/p95: analysis, SQLite's work, scoring; not the encoder's worker) and on PostgreSQL the
server process's mean CPU per question (read from /proc, 10 ms ticks, averaged).
The lead vectors of duplicated texts are encoded once (the encoding rate is measured on the
distinct texts and the end-to-end rate charges it to every passage).
"""

import argparse
import json
import os
import pickle
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "spf"
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def build_corpus(corpus: list[dict], questions: list[dict], size: int, seed: int) -> list:
    """(text, fiche) rows: the corpus once, then duplicates and shuffled distractors."""
    rows = [(f"{doc.get('title', '')}\n{doc['text']}", doc["fiche"]) for doc in corpus]
    asked = {q["fiche"] for q in questions}
    pool = [row for row, doc in zip(rows, corpus, strict=True) if doc["fiche"] not in asked]
    sentences = [
        [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 20] for text, _ in pool
    ]
    sentences = [s for s in sentences if s]
    rng = random.Random(seed)
    copies = rng.sample(pool, len(pool))
    number = 0
    while len(rows) < size:
        if number % 2 == 0:
            rows.append(copies[(number // 2) % len(copies)])
        else:
            picked = [rng.choice(rng.choice(sentences)) for _ in range(rng.randint(3, 8))]
            rows.append((" ".join(picked), f"mix-{number}"))
        number += 1
    return rows[:size]


def index_bytes(connection, backend) -> int:
    """Bytes of the isolated index's tables and indexes (temporary schema)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA temp.page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA temp.page_size")
            return pages * cursor.fetchone()[0]
        tables = [backend.table, backend.docs, backend.texts]
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = pg_my_temp_schema()::regnamespace::text AND c.relname = ANY(%s)",
            [tables],
        )
        return int(cursor.fetchone()[0] or 0)


def server_cpu_ms(connection) -> float | None:
    """CPU time so far of this connection's PostgreSQL backend process (same machine), from
    /proc; None on SQLite (its work is in this thread's CPU time) or if unreadable."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Vectors:
    """Lead vectors of texts, each distinct text encoded once (rate measured on those).

    With a cache file, vectors encoded by an earlier run are reused (a rerun on the other
    backend then skips minutes of encoding) and the encoding rate is that run's."""

    def __init__(self, cache: str | None = None):
        self.cache, self.known = cache, {}
        self.encoded, self.seconds = 0, 0.0
        if cache and os.path.exists(cache):
            with open(cache, "rb") as handle:
                saved = pickle.load(handle)  # noqa: S301 - a file this bench wrote
            self.known, self.encoded, self.seconds = saved["known"], 0, 0.0
            self.rate = saved["rate"]

    def save(self) -> None:
        if self.cache:
            with open(self.cache, "wb") as handle:
                pickle.dump({"known": self.known, "rate": self.encoded / self.seconds}, handle)

    def of(self, texts: list[str]) -> list:
        from knowledge import vectors

        new = list(dict.fromkeys(t for t in texts if t not in self.known))
        started = time.perf_counter()
        for start in range(0, len(new), 256):
            batch = new[start : start + 256]
            self.known.update(zip(batch, vectors.encode_passages(batch), strict=True))
        self.seconds += time.perf_counter() - started
        self.encoded += len(new)
        return [self.known[t] for t in texts]


def run_size(rows, questions, encoder: Vectors, depth: int) -> dict:
    from django.db import connection, transaction

    from knowledge.analysis import analyse
    from knowledge.evaluation import metrics
    from knowledge.index import backend_for
    from knowledge.management.commands.retrieval_bench import BENCH_TABLE, answer, percentile

    backend = backend_for(connection, table=BENCH_TABLE)
    started = time.perf_counter()
    terms = [(number, analyse(text)) for number, (text, _) in enumerate(rows, start=1)]
    analyse_s = time.perf_counter() - started
    with transaction.atomic():
        backend.create_isolated(connection)
        started = time.perf_counter()
        backend.add(connection, terms, leads=[None] * len(terms))
        plain_s = time.perf_counter() - started
        transaction.set_rollback(True)
    before = (encoder.encoded, encoder.seconds)
    leads = encoder.of([text for text, _ in rows])
    encoded, encode_s = encoder.encoded - before[0], encoder.seconds - before[1]
    key_of = {number: key for number, (_, key) in enumerate(rows, start=1)}
    with transaction.atomic():
        backend.create_isolated(connection)
        started = time.perf_counter()
        backend.add(connection, terms, leads=leads)
        dense_s = time.perf_counter() - started
        size = index_bytes(connection, backend)
        cpu, server = [], server_cpu_ms(connection)
        positions, timings = answer(backend, questions, key_of, depth, cpu)
        if server is not None:
            server = (server_cpu_ms(connection) - server) / (len(questions) + 5)
        transaction.set_rollback(True)
    n = len(rows)
    encode_rate = encoded / encode_s if encoded else getattr(encoder, "rate", None)
    timings.sort()
    cpu.sort()
    return {
        "passages": n,
        "backend": backend.name,
        **metrics(positions),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        "server_cpu_mean_ms": round(server, 2) if server is not None else None,
        "load_avg_1min": round(os.getloadavg()[0], 1),
        "analyse_per_s": round(n / analyse_s),
        "write_per_s": round(n / plain_s),
        "write_with_vectors_per_s": round(n / dense_s),
        "encode_per_s": round(encode_rate, 1) if encode_rate else None,
        "ingest_per_s": round(n / (analyse_s + plain_s)),
        "ingest_with_vectors_per_s": (
            round(n / (analyse_s + dense_s + n / encode_rate), 1) if encode_rate else None
        ),
        "index_bytes_per_passage": round(size / n),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DATA / "corpus.jsonl"))
    parser.add_argument("--questions", default=str(DATA / "questions_dev.jsonl"))
    parser.add_argument("--sizes", default="4123,10000,100000")
    parser.add_argument("--depth", type=int, default=50, help="passages ranked per question")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--vector-cache", help="pickle of lead vectors reused across runs")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="arcachat-")) / "b.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from knowledge.management.commands.retrieval_bench import read_jsonl

    call_command("migrate", verbosity=0)
    corpus, questions = read_jsonl(args.corpus), read_jsonl(args.questions)
    encoder = Vectors(args.vector_cache)
    for size in (int(s) for s in args.sizes.split(",")):
        rows = build_corpus(corpus, questions, size, args.seed)
        print(json.dumps(run_size(rows, questions, encoder, args.depth)), flush=True)
        if encoder.encoded:
            encoder.save()


if __name__ == "__main__":
    main()
