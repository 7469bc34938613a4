"""Load bench: residents streaming answers through the real ASGI app and a zero-latency provider.

Usage:
  .venv/bin/python bench/chat_load.py                        # SQLite, 1 and 2 app processes
  .venv/bin/python bench/chat_load.py --postgres-url postgres://postgres@127.0.0.1:5432/postgres \
      --redis-url redis://127.0.0.1:6379/11                  # PostgreSQL + Redis
  .venv/bin/python bench/chat_load.py --short --check        # the short form run by .ci/run
  .venv/bin/python bench/chat_load.py --floor                # and the bare stack (floor_app.py)

For each set-up (database x app processes) it starts the app with production settings on an
isolated database holding the demo town, a fake OpenAI-compatible provider in a process of
its own (a ~400-character answer in 8-character chunks, no delay), signs in one resident per
concurrent client (each with their own code), then measures:
- one resident asking questions one after the other, through the app and straight to the
  provider: the time the app adds to the first token and to the whole answer (p50/p95/p99);
- N residents asking at once for a while: streamed answers per second and errors.
Prints one JSON line per set-up and a Markdown table. With --check, exits 1 if any answer
failed (and, without --short, if a target was missed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.liveapp import (  # noqa: E402
    PYTHON,
    AppProcesses,
    IsolatedDatabase,
    UvicornProcesses,
)
from tests.support.liveclient import (  # noqa: E402
    Connection,
    Resident,
    ask_provider_directly,
    sign_in,
)

QUESTIONS = [
    "Quand a lieu le marché ?",
    "Quels sont les horaires de la mairie ?",
    "Quand passe la collecte des déchets verts ?",
    "Comment obtenir une carte d'identité ?",
    "Que faire ce week-end ?",
    "La médiathèque est-elle ouverte le dimanche ?",
]

SETUP = """
from decimal import Decimal
from accesscodes.models import AccessCode
from metering.models import QuotaSettings
from knowledge.demo import load_demo_town
from tests.support.providers import activate
load_demo_town()
q = QuotaSettings.current()
q.code_monthly_tokens = 2 * 10**9  # fits PostgreSQL integer
q.monthly_budget_eur = Decimal("1000000")
q.save()
activate("{url}", timeout=30)
for _ in range({codes}):
    print(AccessCode.issue()[1])
"""

APP_ENV = {"CHAT_RATE": "1000000/m", "CELERY_EAGER": "1"}
TARGETS = {"first_p50_ms": 5.0, "total_p50_ms": 10.0, "answers_per_s": 100.0}


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50": round(statistics.median(ordered) * 1000, 2),
        "p95": round(at(0.95), 2),
        "p99": round(at(0.99), 2),
    }


async def sequential(ask, count: int) -> tuple[list, list]:
    firsts, totals = [], []
    for n in range(count):
        answer = await ask(n)
        if answer.first_chunk_s is None or answer.status != 200:
            raise RuntimeError(f"answer {n} failed: {answer.status} {answer.body}")
        firsts.append(answer.first_chunk_s)
        totals.append(answer.total_s)
    return firsts, totals


async def single_resident(app_url: str, provider_url: str, session: dict, count: int) -> dict:
    resident = Resident(app_url, session)
    direct = Connection(provider_url.removesuffix("/v1"))
    try:
        # Interleave the two so that machine noise hits both alike.
        app_first, app_total, dir_first, dir_total = [], [], [], []
        for n in range(count):
            a_first, a_total = await sequential(
                lambda _n, n=n: resident.ask(QUESTIONS[n % len(QUESTIONS)]), 1
            )
            d_first, d_total = await sequential(lambda _n: ask_provider_directly(direct), 1)
            app_first += a_first
            app_total += a_total
            dir_first += d_first
            dir_total += d_total
    finally:
        await resident.close()
        await direct.close()
    app_f, app_t = percentiles(app_first), percentiles(app_total)
    dir_f, dir_t = percentiles(dir_first), percentiles(dir_total)
    return {
        "app_first_ms": app_f,
        "app_total_ms": app_t,
        "direct_first_ms": dir_f,
        "direct_total_ms": dir_t,
        "added_first_ms": {k: round(app_f[k] - dir_f[k], 2) for k in app_f},
        "added_total_ms": {k: round(app_t[k] - dir_t[k], 2) for k in app_t},
    }


async def many_residents(urls: list[str], sessions: list[dict], seconds: float) -> dict:
    residents = [Resident(urls[n % len(urls)], s) for n, s in enumerate(sessions)]
    done, errors, totals, firsts = 0, [], [], []
    deadline = time.perf_counter() + seconds

    async def loop(index: int, resident: Resident) -> None:
        nonlocal done
        n = index
        while time.perf_counter() < deadline:
            try:
                answer = await resident.ask(QUESTIONS[n % len(QUESTIONS)])
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(type(exc).__name__)
                await resident.close()
                continue
            n += 1
            if answer.completed and answer.text:
                done += 1
                totals.append(answer.total_s)
                firsts.append(answer.first_chunk_s)
            else:
                errors.append(f"{answer.status} {answer.body or answer.events[-1:]}")

    started = time.perf_counter()
    await asyncio.gather(*(loop(i, r) for i, r in enumerate(residents)))
    elapsed = time.perf_counter() - started
    for resident in residents:
        await resident.close()
    return {
        "residents": len(residents),
        "seconds": round(elapsed, 2),
        "answers": done,
        "answers_per_s": round(done / elapsed, 1),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "first_ms": percentiles(firsts) if firsts else None,
        "total_ms": percentiles(totals) if totals else None,
    }


def run_setup(args, database: str, processes: int, provider_url: str) -> dict:
    pg = args.postgres_url if database == "postgresql" else None
    redis = args.redis_url if database == "postgresql" else None
    env = {**APP_ENV, "KNOWLEDGE_DENSE": "0" if args.lexical else "1"}
    with IsolatedDatabase(pg, redis, **env) as db:
        output = db.shell(SETUP.format(url=provider_url, codes=args.residents))
        codes = output.split()[-args.residents :]
        with AppProcesses(db, count=processes) as app:
            sessions = [sign_in(app.urls[n % processes], code) for n, code in enumerate(codes)]
            one, many = measure(app.urls, provider_url, sessions, args.sequential, args.seconds)
    return {
        "database": database,
        "processes": processes,
        "retrieval": "lexical" if args.lexical else "hybrid",
        "one_resident": one,
        "concurrent": many,
    }


def run_floor(args, processes: int, provider_url: str) -> dict:
    """The same measurements against the bare relay of bench/floor_app.py."""
    env = {**os.environ, "FAKE_PROVIDER_URL": provider_url}
    with UvicornProcesses("floor_app:application", env, processes, cwd=ROOT / "bench") as floor:
        sessions = [{"cookie": "none=1", "csrf": "none"}] * args.residents
        measure(floor.urls, provider_url, sessions, args.sequential)  # warm-up
        one, many = measure(floor.urls, provider_url, sessions, args.sequential, args.seconds)
    return {
        "database": "none (floor)",
        "processes": processes,
        "retrieval": "none",
        "one_resident": one,
        "concurrent": many,
    }


def measure(urls, provider_url, sessions, count, seconds=None):
    """Warm every process up; with `seconds`, then one resident and the concurrent load."""

    async def warm_up():
        for url in urls:
            resident = Resident(url, sessions[0])
            for question in QUESTIONS:
                await resident.ask(question)
            await resident.close()

    asyncio.run(warm_up())
    if seconds is None:
        return None, None
    one = asyncio.run(single_resident(urls[0], provider_url, sessions[0], count))
    return one, asyncio.run(many_residents(urls, sessions, seconds))


def table(results: list[dict]) -> str:
    lines = [
        "| database | app processes | retrieval | added first token p50 / p95 / p99 (ms) "
        "| added whole answer p50 / p95 / p99 (ms) | residents | answers/s | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f, t, c = (
            r["one_resident"]["added_first_ms"],
            r["one_resident"]["added_total_ms"],
            r["concurrent"],
        )
        lines.append(
            f"| {r['database']} | {r['processes']} | {r['retrieval']} "
            f"| {f['p50']} / {f['p95']} / {f['p99']} "
            f"| {t['p50']} / {t['p95']} / {t['p99']} | {c['residents']} | {c['answers_per_s']} "
            f"| {c['errors']} |"
        )
    return "\n".join(lines)


def misses(result: dict) -> list[str]:
    one, many = result["one_resident"], result["concurrent"]
    found = []
    if one["added_first_ms"]["p50"] > TARGETS["first_p50_ms"]:
        found.append(f"first token +{one['added_first_ms']['p50']} ms")
    if one["added_total_ms"]["p50"] > TARGETS["total_p50_ms"]:
        found.append(f"whole answer +{one['added_total_ms']['p50']} ms")
    if many["answers_per_s"] < TARGETS["answers_per_s"]:
        found.append(f"{many['answers_per_s']} answers/s")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", help="also bench PostgreSQL (+ --redis-url)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--only-postgres", action="store_true")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=200, help="answers at one resident")
    parser.add_argument("--seconds", type=float, default=20, help="duration of the load")
    parser.add_argument("--short", action="store_true", help="CI form: fewer answers, 1 process")
    parser.add_argument(
        "--lexical", action="store_true", help="KNOWLEDGE_DENSE=0: no sentence encoder"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 on errors (or misses)")
    parser.add_argument(
        "--floor", action="store_true", help="also measure bench/floor_app.py, the bare stack"
    )
    args = parser.parse_args()
    if args.short:
        args.sequential, args.seconds, args.residents, args.processes = 30, 3, 20, [1]
    databases = [] if args.only_postgres else ["sqlite"]
    if args.postgres_url:
        databases.append("postgresql")
    provider = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "fake_provider.py")], stdout=subprocess.PIPE, text=True
    )
    results = []
    try:
        provider_url = provider.stdout.readline().strip()
        if args.floor:
            for processes in args.processes:
                result = run_floor(args, processes, provider_url)
                result["misses"] = misses(result)
                print(json.dumps(result), flush=True)
                results.append(result)
        for database in databases:
            for processes in args.processes:
                result = run_setup(args, database, processes, provider_url)
                result["misses"] = misses(result)
                print(json.dumps(result), flush=True)
                results.append(result)
    finally:
        provider.terminate()
    print(table(results))
    if args.check:
        failed = [r for r in results if r["concurrent"]["errors"] or not r["concurrent"]["answers"]]
        if not args.short:
            failed += [r for r in results if r["misses"]]
        if failed:
            print("FAILED:", [(r["database"], r["processes"], r["misses"]) for r in failed])
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
