"""Bench: hostile PDF attachments against the real app, and the landing page meanwhile.

Usage:
  .venv/bin/python bench/hostile_attachments.py [--seconds 20] [--attackers 8]

Starts one app process with production settings (SQLite, tests/support/liveapp.py) and a
fake provider that reads images (so attachments are allowed), then measures for `--seconds`
each:
1. quiet: the anonymous landing page, one request after the other (p50, p95, max), and a
   sound one-page PDF attached to a question (its whole answer, every 0.5 s);
2. under attack: the same, while one client, then `--attackers` clients, each send issue 13's
   hostile PDF (3 pages of text operators drawing nothing, ~30 KB) again as soon as it is
   answered;
3. the control: the same number of clients sending a 30 KB attachment refused at once (a
   GIF), i.e. the same flood of requests with no PDF to read.
Prints the figures as JSON and a Markdown table (docs/benchmarks.md, docs/security.md).
The attackers' code has no question rate (CHAT_RATE very high): the worst case.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

import django  # noqa: E402

django.setup()

import httpx2  # noqa: E402

from tests.support.documents import blank_text_pdf, make_pdf  # noqa: E402
from tests.support.fakellm import FakeServer, Script  # noqa: E402
from tests.support.liveapp import AppProcesses, IsolatedDatabase  # noqa: E402
from tests.support.liveclient import sign_in  # noqa: E402

SETUP = """
from accesscodes.models import AccessCode
from providers.models import ProviderConfig
ProviderConfig.objects.create(name="Vision", kind="openai_compatible", model="fake",
                              base_url={url!r}, order=1, timeout=10, supports_images=True)
print(AccessCode.issue()[1])
"""


def question(pdf: bytes) -> bytes:
    data = "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    body = {"message": "Que dit ce courrier ?", "attachment": {"kind": "file", "data": data}}
    return json.dumps(body).encode()


def figures(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0}
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    ms = {"p50": statistics.median(ordered), "p95": p95, "p99": p99, "max": ordered[-1]}
    over = sum(1 for seconds in ordered if seconds > 2)
    return {"n": len(ordered), "over_2s": over, **{k: round(v * 1000, 1) for k, v in ms.items()}}


def loop(until: float, act, out: list) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        result = act()
        out.append((time.monotonic() - started, result))


def flood_body() -> bytes:
    data = "data:image/gif;base64," + base64.b64encode(b"GIF89a" + b"\0" * 30_000).decode()
    return json.dumps({"message": "Et ça ?", "attachment": {"data": data}}).encode()


def phase(url: str, session: dict, seconds: float, attackers: int, hostile: bytes) -> dict:
    headers = {"Cookie": session["cookie"], "X-CSRFToken": session["csrf"]}
    sound = question(make_pdf(["Facture : 42 euros."]))
    until = time.monotonic() + seconds
    results: dict[str, list] = {"landing": [], "sound": [], "hostile": []}

    def client():
        return httpx2.Client(base_url=url, headers=headers, timeout=60)

    def landing():
        with httpx2.Client(base_url=url, timeout=60) as visitor:
            loop(until, lambda: visitor.get("/").status_code, results["landing"])

    def asks(body: bytes, out: list, pause: float = 0.0):
        with client() as resident:

            def one():
                status = resident.post("/chat/ask", content=body).status_code
                time.sleep(pause)
                return status

            loop(until, one, out)

    threads = [
        threading.Thread(target=landing),
        threading.Thread(target=asks, args=(sound, results["sound"], 0.5)),
    ]
    threads += [
        threading.Thread(target=asks, args=(hostile, results["hostile"])) for _ in range(attackers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = {name: figures([s for s, _ in rows]) for name, rows in results.items()}
    for name, rows in results.items():
        statuses: dict[str, int] = {}
        for _seconds, status in rows:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        summary[name]["statuses"] = statuses
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    args = parser.parse_args()
    env = {"WARM_UP": "0", "KNOWLEDGE_DENSE": "0", "CHAT_RATE": "1000000/m"}
    with FakeServer("openai", Script(text="Une facture.")) as vision, IsolatedDatabase() as db:
        code = db.shell(SETUP.format(url=vision.base_url)).split()[-1]
        with AppProcesses(db, **env) as app:
            session = sign_in(app.urls[0], code)
            hostile = question(blank_text_pdf())
            quiet = phase(app.urls[0], session, args.seconds, 0, hostile)
            single = phase(app.urls[0], session, args.seconds, 1, hostile)
            attacked = phase(app.urls[0], session, args.seconds, args.attackers, hostile)
            flood = phase(app.urls[0], session, args.seconds, args.attackers, flood_body())
    load = os.getloadavg()
    figures_all = {"quiet": quiet, "single": single, "attacked": attacked, "flood": flood}
    print(json.dumps({**figures_all, "loadavg": load}))
    head = "landing p50 / p95 / max (ms) | sound PDF p50 / max (ms) | attackers' p50 / p99 / max"
    print(f"\n| | {head} (ms) |")
    print("|---|---|---|---|")
    runs = (
        ("quiet", quiet),
        ("1 hostile PDF at a time", single),
        (f"{args.attackers} hostile PDFs in flight", attacked),
        (f"control: {args.attackers} refused GIFs in flight", flood),
    )
    for name, run in runs:
        land, sound, bad = run["landing"], run["sound"], run["hostile"]
        hostile = "-"
        if bad["n"]:
            hostile = f"{bad['p50']} / {bad['p99']} / {bad['max']}, {bad['over_2s']} over 2 s"
        print(
            f"| {name} | {land['p50']} / {land['p95']} / {land['max']} | "
            f"{sound['p50']} / {sound['max']} ({sound['statuses']}) | {hostile} |"
        )
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
