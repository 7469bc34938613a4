"""Time a website sync of a synthetic 500-page town site served on 127.0.0.1.

Usage: .venv/bin/python bench/site_sync_bench.py [--pages 500] [--rate 1000] [--check-rate 0]
Three runs on a throw-away SQLite database (the site from tests/sitekit.py: robots.txt, a
sitemap index, a gzip sitemap, ETag and Last-Modified answered with 304):
  first   every page new: fetched, read by trafilatura, chunked, indexed;
  second  nothing changed: every page answers 304;
  third   5 % of the pages changed: 304 for the rest, the changed ones re-indexed.
`--rate` is the site's requests per second (1000: the limit is practically off). The time at
the polite default of 1 request/s is projected as the number of requests x 1 s, the pacing
being start to start (valid while one request's work stays under 1 s: see `work_ms`).
`--check-rate N` also syncs N pages at 1 request/s for real, to check that projection.
Prints one JSON line per run, then a summary line.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest_pdf_bench import french_page  # noqa: E402 - after the path is set
from tests.support.sitekit import Page, TownSite, page_html  # noqa: E402


def synthetic_pages(count: int, rng: random.Random) -> dict:
    """`count` pages of about 360 words of municipal French, in three sections."""
    pages = {}
    for i in range(count):
        section = ("vie-pratique", "actualites", "culture")[i % 3]
        text = " ".join(french_page(rng, i).split("\n")[2:])
        pages[f"/{section}/page-{i:04d}"] = Page(f"Page {i} de la ville", text)
    return pages


def run_once(site, label: str, town) -> dict:
    from knowledge.models import SyncRun
    from knowledge.siteruns import create_run
    from knowledge.sitesync import advance

    start_hits = len(town.hits)
    run = create_run(site)
    started = time.perf_counter()
    advance(run.pk)
    seconds = time.perf_counter() - started
    run = SyncRun.objects.get(pk=run.pk)
    hits = town.hits[start_hits:]
    return {
        "run": label,
        "status": run.status,
        "requests": len(hits),
        "pages": run.pages_done,
        "added": run.added,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "status_304": sum(hit.status == 304 for hit in hits),
        "seconds": round(seconds, 2),
        "pages_per_s": round(run.pages_done / seconds, 1),
        "work_ms": round(1000 * seconds / max(len(hits), 1), 1),
        "projected_at_1_per_s_min": round(len(hits) / 60, 1),
    }


def extraction_ms(pages: dict, town) -> float:
    """Median time of trafilatura on one page (the reading step alone)."""
    from knowledge.webpage import read_web_page

    times = []
    for path, page in list(pages.items())[:100]:
        body = page_html(page, town.menu)
        started = time.perf_counter()
        read_web_page(body, town.url + path)
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--check-rate", type=int, default=0)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="arcachat-bench-")
    os.environ["SQLITE_PATH"] = str(Path(workdir) / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from knowledge.models import Chunk, WebSite

    settings.MEDIA_ROOT = Path(workdir) / "media"
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True  # the site is on 127.0.0.1; benchmarks only
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    pages = synthetic_pages(args.pages, rng)
    results = []
    with TownSite(pages) as town:
        site = WebSite.objects.create(
            name="Bench", start_url=town.url + "/", rate=args.rate, max_pages=args.pages + 10
        )
        results.append(run_once(site, "first", town))
        results.append(run_once(site, "second (all 304)", town))
        for path in rng.sample(sorted(pages), k=max(1, args.pages // 20)):
            town.change(path, pages[path].text + " Mise à jour : horaires d'été.")
        results.append(run_once(site, "third (5 % changed)", town))
        extract = extraction_ms(pages, town)
        if args.check_rate:
            results.append(check_rate(args.check_rate, rng))
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    summary = {"chunks": Chunk.objects.count(), "trafilatura_ms_per_page": extract}
    print(json.dumps(summary))


def check_rate(count: int, rng: random.Random) -> dict:
    """A real sync of `count` pages at the polite 1 request/s: the measured rate."""
    from knowledge.models import WebSite

    with TownSite(synthetic_pages(count, rng)) as town:
        site = WebSite.objects.create(name="Polite", start_url=town.url + "/", rate=1.0)
        result = run_once(site, f"polite ({count} pages, 1 request/s)", town)
        times = [hit.at for hit in town.hits]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    result["measured_requests_per_s"] = round((len(times) - 1) / (times[-1] - times[0]), 3)
    result["shortest_gap_s"] = round(min(gaps), 3)
    return result


if __name__ == "__main__":
    main()
