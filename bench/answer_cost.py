"""Added time of the offline answer's wider pool, per question: extraction with the pool
(knowledge.prompt.pool_for) minus extraction from the prompt's passages alone, on the same
questions in the same process. "cold": the unit-vector memo holds only the units of the
prompt's passages (each question's own, read just before), so the further units are all
encoded; "warm": every unit of the demo town seen before.

    .venv/bin/python manage.py shell -c "import runpy; runpy.run_path('bench/answer_cost.py')"

Prints one JSON line per regime: median and p95 of the added milliseconds, and of the
extraction without the pool. Timings depend on the machine's load: rerun on a quiet one.
"""

import datetime as dt
import json
import statistics
import time
from pathlib import Path

from django.conf import settings

from knowledge import extractive
from knowledge.demo import load_demo_town
from knowledge.prompt import merge_sources, pool_for, retrieval_query
from knowledge.retrieval import search

TODAY = dt.date(2026, 11, 1)
FILES = ("bench/answers_dev.jsonl", "bench/answers_check.jsonl")


def questions() -> list[str]:
    rows = []
    for name in FILES:
        lines = (Path(settings.BASE_DIR) / name).read_text("utf-8").splitlines()
        rows += [json.loads(line)["question"] for line in lines if line.strip()]
    return rows


def timed(question: str, wide: bool) -> float:
    query = retrieval_query(question, [], TODAY)
    found = search(query, settings.KNOWLEDGE_PASSAGES, TODAY)
    merged = merge_sources(found)
    wider = pool_for(query, TODAY, found) if wide else None
    started = time.perf_counter()
    extractive.extract(question, found, merged, wider)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run(cold: bool) -> dict:
    added, alone = [], []
    for question in questions():
        if cold:
            extractive.unit_vectors = extractive.VectorMemo(extractive.MEMO_UNITS)
            timed(question, wide=False)  # the prompt's units only: they are encoded anyway
        base = timed(question, wide=False)
        added.append(timed(question, wide=True) - base)
        alone.append(base)
    return {
        "regime": "cold" if cold else "warm",
        "questions": len(added),
        "added_ms_median": round(statistics.median(added), 1),
        "added_ms_p95": percentile(added, 0.95),
        "without_pool_ms_median": round(statistics.median(alone), 1),
        "without_pool_ms_p95": percentile(alone, 0.95),  # units encoded before: see above
    }


load_demo_town()
for question in questions()[:3]:  # load the encoder and warm the database
    timed(question, wide=True)
print(json.dumps(run(cold=True)))
run(cold=False)  # fill the memo
print(json.dumps(run(cold=False)))
