"""Measure the personal-data guard on the labelled sentences: per kind precision and recall,
time per check, model load time and memory.

Usage: .venv/bin/python bench/pii_bench.py [--model fr_core_news_sm] [--split dev]
       [--rounds 5] [--errors]
bench/pii_sentences.jsonl holds hand-written residents' messages, one JSON object a line:
{"text", "language", "split": "dev"|"heldout", "spans": [{"kind", "start", "end"}]}, offsets
in Python characters. The rules were tuned on "dev" only; "heldout" (every third sentence)
measures them on sentences they were not tuned on. Matching is span-level with overlap: a
finding is right when it overlaps a labelled span of its kind; a labelled span is found when
a finding of its kind overlaps it. Latency is one detect() call per sentence, after one
warm-up pass, over --rounds passes; then a message as long as the chat accepts (2,000
characters). Prints a table, then one JSON line.
"""

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "pii_sentences.jsonl"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(rows, detect, show_errors: bool) -> dict:
    right, found, predicted, labelled = Counter(), Counter(), Counter(), Counter()
    for row in rows:
        gold = [(s["kind"], s["start"], s["end"]) for s in row["spans"]]
        pred = [(f.kind, f.start, f.end) for f in detect(row["text"], row["language"])]
        for kind, start, end in pred:
            predicted[kind] += 1
            right[kind] += any(k == kind and start < e and s < end for k, s, e in gold)
        for kind, start, end in gold:
            labelled[kind] += 1
            found[kind] += any(k == kind and start < e and s < end for k, s, e in pred)
        wrong = [
            p for p in pred if not any(p[0] == k and p[1] < e and s < p[2] for k, s, e in gold)
        ]
        missed = [
            g for g in gold if not any(g[0] == k and g[1] < e and s < g[2] for k, s, e in pred)
        ]
        if show_errors and (wrong or missed):
            text = row["text"]
            print(
                "~",
                text,
                "| wrong",
                [(k, text[s:e]) for k, s, e in wrong],
                "| missed",
                [(k, text[s:e]) for k, s, e in missed],
            )
    kinds = sorted(set(labelled) | set(predicted))
    return {
        kind: {
            "labelled": labelled[kind],
            "predicted": predicted[kind],
            "precision": round(right[kind] / predicted[kind], 3) if predicted[kind] else None,
            "recall": round(found[kind] / labelled[kind], 3) if labelled[kind] else None,
        }
        for kind in kinds
    }


def latency(rows, detect, rounds: int) -> dict:
    """Wall time per check, and CPU time of the checking thread: on a shared machine the
    wall time also counts the waits for a core, the CPU time does not."""
    wall, cpu = [], []
    for _ in range(rounds):
        for row in rows:
            start, start_cpu = time.perf_counter(), time.thread_time()
            detect(row["text"], row["language"])
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    return {
        "checks": len(wall),
        "p50_ms": round(wall[len(wall) // 2], 2),
        "p95_ms": round(wall[int(len(wall) * 0.95)], 2),
        "max_ms": round(wall[-1], 2),
        "cpu_p50_ms": round(cpu[len(cpu) // 2], 2),
        "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95)], 2),
    }


def longest_message(rows, run, chars: int = 2000) -> float:
    """Median time over 10 checks of a message as long as the chat accepts (the sentences
    one after the other, cut at `chars`)."""
    text = " ".join(r["text"] for r in rows)[:chars]
    times = []
    for _ in range(10):
        start = time.perf_counter()
        run(text, "fr")
        times.append((time.perf_counter() - start) * 1000)
    return round(sorted(times)[5], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="spaCy package (default: PII_MODEL)")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="dev")
    parser.add_argument("--language", choices=["fr", "en", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="print every sentence missed")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
    import django

    django.setup()
    from django.conf import settings

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if args.split in ("all", r["split"])]
    rows = [r for r in rows if args.language in ("all", r["language"])]

    before = rss_mb()
    started = time.perf_counter()
    from pii import detect, engine  # spaCy, thinc and presidio

    model = args.model or settings.PII_MODEL
    imported = time.perf_counter()
    engine.load(model)
    loaded = time.perf_counter()
    import_s, load_s, guard_mb = imported - started, loaded - imported, rss_mb() - before

    def run(text, language):
        return detect(text, language, model=model)

    for row in rows:  # warm-up
        run(row["text"], row["language"])
    per_kind = score(rows, run, args.errors)
    timing = latency(rows, run, args.rounds)
    timing["longest_ms"] = longest_message(rows, run)

    print(f"model {model}, split {args.split}, language {args.language}, {len(rows)} sentences")
    print(f"{'kind':10} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for kind, figures in per_kind.items():
        p, r = figures["precision"], figures["recall"]
        print(
            f"{kind:10} {figures['labelled']:>8} {figures['predicted']:>6} "
            f"{'-' if p is None else p:>9} {'-' if r is None else r:>7}"
        )
    print(
        f"import {import_s:.2f} s + model load {load_s:.2f} s; RSS +{guard_mb:.0f} MB for the "
        f"guard (process {rss_mb():.0f} MB); per check p50 {timing['p50_ms']} ms, "
        f"p95 {timing['p95_ms']} ms, max {timing['max_ms']} ms (CPU p50 {timing['cpu_p50_ms']}, "
        f"p95 {timing['cpu_p95_ms']} ms); a 2,000-character message {timing['longest_ms']} ms"
    )
    result = {"model": model, "split": args.split, "language": args.language}
    result |= {"sentences": len(rows), "kinds": per_kind, "import_s": round(import_s, 2)}
    result |= {"load_s": round(load_s, 2), "guard_mb": round(guard_mb), **timing}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
