"""Measure what the personal-data check adds before a question leaves the chat page.

Usage: .venv/bin/python bench/chat_check_bench.py [--rounds 3]

Two costs, on the residents' sentences of bench/pii_sentences.jsonl (all splits):
- the page's POST /chat/check, through Django's whole stack (middleware, session, resident
  check, rate limit on the local-memory cache, JSON) with the test client, in process: what a
  resident waits for between pressing Send and the question leaving, network round trip not
  included (add the town's own: the request is ~100 bytes each way);
- the check itself (pii.check), which is also what /chat/ask adds when it re-checks a question
  whose request names no choice (an old tab, a page whose check failed).
The model is loaded first (the app does it at start-up: arcachat/asgi.py warm_up), so the
first-check load time is not in these figures (see docs/benchmarks.md for it). Prints a line
per measure, then one JSON line.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
DATA = ROOT / "bench" / "pii_sentences.jsonl"


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)  # noqa: E731
    return {"n": len(ordered), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": pick(1.0)}


def signed_in_client():
    from django.test import Client

    from accesscodes.models import AccessCode

    _code, plain = AccessCode.issue()
    client = Client()
    response = client.post("/signin", {"code": plain})
    assert response.status_code == 302, "the bench could not sign in"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    import pii
    from arcachat import personaldata

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)  # a throwaway database (SQLite in memory)
    personaldata.CHECK_RATE = "1000000/m"  # the limit is still checked, never reached
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    client = signed_in_client()
    pii.check("Bonjour, je suis Jeanne Martin.", "fr")  # the start-up warm-up

    # Wall time is what a resident waits; CPU time (this process, one thread) is what a busy
    # machine cannot inflate, so figures taken under load can be compared with quiet ones.
    endpoint, direct, endpoint_cpu, direct_cpu = [], [], [], []
    for _ in range(args.rounds):
        for row in rows:
            body = json.dumps({"text": row["text"], "language": row.get("language", "fr")})
            started, cpu = time.perf_counter(), time.process_time()
            response = client.post("/chat/check", body, content_type="application/json")
            endpoint.append((time.perf_counter() - started) * 1000)
            endpoint_cpu.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, response.status_code
            started, cpu = time.perf_counter(), time.process_time()
            pii.check(row["text"], row.get("language", "fr"))
            direct.append((time.perf_counter() - started) * 1000)
            direct_cpu.append((time.process_time() - cpu) * 1000)
    result = {
        "sentences": len(rows),
        "rounds": args.rounds,
        "endpoint": percentiles(endpoint),
        "endpoint_cpu": percentiles(endpoint_cpu),
        "check": percentiles(direct),
        "check_cpu": percentiles(direct_cpu),
        "cpus": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"POST /chat/check (in process)   wall {result['endpoint']}")
    print(f"                                 CPU {result['endpoint_cpu']}")
    print(f"pii.check (the re-check on ask) wall {result['check']}")
    print(f"                                 CPU {result['check_cpu']}")
    print(f"load average {result['load']} on {result['cpus']} CPUs")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
