"""Website sync against a town site served on 127.0.0.1 (tests/sitekit.py): what the first run
ingests, what later runs fetch and re-index, the grace before retiring, and hand uploads."""

import datetime as dt

import pytest

from knowledge.ingest import retire
from knowledge.models import Document, SitePage, SyncLine, SyncRun, WebSite
from knowledge.retrieval import search
from knowledge.siteruns import create_run
from knowledge.sitesync import advance
from tests.support.documents import add_document
from tests.support.sitekit import Page, TownSite, filler, town_pages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
ORDINARY = 30  # pages of town_pages() a sync may ingest


@pytest.fixture
def local(settings):
    """The test-only allowance to fetch from 127.0.0.1, and a short fetch time-out."""
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    settings.KNOWLEDGE_URL_TIMEOUT = 1.0


@pytest.fixture
def town_site(local):
    with TownSite(town_pages(ORDINARY)) as site:
        yield site


def website(town_site, **fields) -> WebSite:
    fields.setdefault("rate", 50)  # fast tests; the rate itself is measured below
    return WebSite.objects.create(name="Port-Lumière", start_url=town_site.url + "/", **fields)


def sync(site: WebSite) -> SyncRun:
    run = create_run(site)
    assert run is not None
    assert advance(run.pk) is False
    run.refresh_from_db()
    return run


def lines(run: SyncRun, kind: str) -> dict[str, str]:
    return dict(run.lines.filter(kind=kind).values_list("url", "reason"))


def synced_urls() -> set[str]:
    return set(
        Document.objects.filter(site_page__isnull=False, status="ready").values_list(
            "source_url", flat=True
        )
    )


def ordinary(town_site) -> set[str]:
    return {
        town_site.url + p
        for p in town_site.pages
        if p.startswith(("/actualites/", "/vie-pratique/"))
    }


def test_it_ingests_exactly_the_allowed_pages_on_the_first_run(town_site):
    run = sync(website(town_site))
    assert run.status == SyncRun.Status.DONE, run.stop_reason
    assert synced_urls() == ordinary(town_site)
    assert (run.added, run.failed, run.pages_done) == (ORDINARY, 3, ORDINARY + 4)
    fetched = {hit.path for hit in town_site.hits}
    assert not fetched & {"/prive/budget-brouillon", "/brouillons/agenda", "/non-listee"}
    assert {"/sitemap_index.xml", "/sitemaps/pages.xml.gz", "/sitemaps/actus.xml"} <= fetched
    failed = lines(run, "failed")
    assert "took too long" in failed[town_site.url + "/lente"]
    assert "error 500" in failed[town_site.url + "/en-panne"]
    assert "in a loop: /boucle-b → /boucle-a → /boucle-b" in failed[town_site.url + "/boucle-b"]
    assert "robots.txt" in run.lines.get(kind="note").reason


def test_it_keeps_the_main_content_title_and_date_of_a_page(town_site):
    sync(website(town_site))
    doc = Document.objects.get(source_url=town_site.url + "/vie-pratique/page-01")
    assert (doc.title, doc.kind) == ("Piscine municipale (1)", Document.Kind.WEB_PAGE)
    assert doc.published_on == dt.date(2026, 1, 1)  # its Last-Modified
    text = " ".join(doc.chunks.values_list("text", flat=True))
    assert "entrée adulte 4 euros" in text
    for chrome in ("Tout accepter", "cookies", "Mentions légales", "Accueil"):
        assert chrome not in text
    passage = search("piscine entrée adulte", today=dt.date(2026, 6, 1))[0]
    found = Document.objects.get(pk=passage.document_id)
    assert found.title.startswith("Piscine municipale")
    assert passage.url == found.source_url  # the page itself is the source residents open


def test_it_names_the_town_assistant_as_its_user_agent(town_site, settings):
    settings.TOWN_NAME = "Saint-Pierre-lès-Flots"
    sync(website(town_site))
    agents = {hit.headers.get("User-Agent") for hit in town_site.hits}
    assert agents == {
        "ArcaChat/1.0 (assistant de la mairie de Saint-Pierre-les-Flots; "
        "+https://github.com/arcachat)"
    }


def test_it_fetches_conditionally_and_reindexes_only_the_changed_page(town_site):
    site = website(town_site)
    sync(site)
    chunks = {d.pk: set(d.chunks.values_list("pk", flat=True)) for d in Document.objects.all()}
    town_site.change(
        "/vie-pratique/page-02", filler("Médiathèque", "Fermée pour travaux en mai.", 2)
    )
    start = len(town_site.hits)
    run = sync(site)
    paths = {url.removeprefix(town_site.url) for url in ordinary(town_site)}
    pages = [hit for hit in town_site.page_hits(since=start) if hit.path in paths]
    assert len(pages) == ORDINARY
    assert all("If-None-Match" in h.headers and "If-Modified-Since" in h.headers for h in pages)
    assert sorted(hit.status for hit in pages) == [200] + [304] * (ORDINARY - 1)
    assert (run.added, run.changed, run.unchanged, run.retired) == (0, 1, ORDINARY - 1, 0)
    changed = Document.objects.get(source_url=town_site.url + "/vie-pratique/page-02")
    assert list(lines(run, "changed")) == [changed.source_url]
    for doc in Document.objects.exclude(pk=changed.pk):
        assert set(doc.chunks.values_list("pk", flat=True)) == chunks[doc.pk]
    assert not set(changed.chunks.values_list("pk", flat=True)) & chunks[changed.pk]
    assert "Fermée pour travaux" in changed.chunks.first().text


def test_it_skips_a_page_served_again_with_the_same_content(town_site):
    """No ETag match (the server lost its cache): the content hash says nothing changed."""
    site = website(town_site)
    sync(site)
    SitePage.objects.update(etag="", last_modified="")
    run = sync(site)
    assert (run.changed, run.unchanged) == (0, ORDINARY)
    assert sum(hit.status == 200 for hit in town_site.page_hits()) == 2 * ORDINARY


def test_it_retires_a_removed_page_after_one_grace_run(town_site):
    site = website(town_site)
    sync(site)
    gone = town_site.url + "/actualites/page-03"
    town_site.remove("/actualites/page-03")  # 404, and out of the sitemap
    second = sync(site)
    doc = Document.objects.get(source_url=gone)
    assert doc.status == Document.Status.READY and doc.chunks.exists()
    assert "retired then if it is still missing" in lines(second, "missing")[gone]
    third = sync(site)
    doc.refresh_from_db()
    assert doc.status == Document.Status.RETIRED and not doc.chunks.exists()
    assert "already missing at the previous run" in lines(third, "retired")[gone]
    assert third.retired == 1 and synced_urls() == ordinary(town_site)


def test_it_retires_a_listed_page_that_answers_404_after_the_grace_run(town_site):
    site = website(town_site)
    sync(site)
    town_site.pages["/vie-pratique/page-04"].status = 404  # still in the sitemap
    url = town_site.url + "/vie-pratique/page-04"
    assert "error 404" in lines(sync(site), "missing")[url]
    assert "error 404" in lines(sync(site), "retired")[url]


def test_it_keeps_a_page_that_comes_back_within_the_grace_run(town_site):
    site = website(town_site)
    sync(site)
    page = town_site.pages.pop("/vie-pratique/page-05")
    sync(site)
    town_site.pages["/vie-pratique/page-05"] = page
    run = sync(site)
    assert run.retired == 0
    assert town_site.url + "/vie-pratique/page-05" in synced_urls()
    assert SitePage.objects.get(url=town_site.url + "/vie-pratique/page-05").missing_run is None


def test_it_never_touches_documents_uploaded_by_hand(town_site):
    by_hand = add_document(
        b"# Piscine\nHoraires d'ete de la piscine.",
        "piscine.md",
        kind=Document.Kind.WEB_PAGE,
        source_url=town_site.url + "/actualites/page-06",  # the same address as a synced page
    )
    before = (by_hand.status, by_hand.updated_at, list(by_hand.chunks.values_list("pk", "text")))
    site = website(town_site)
    sync(site)
    town_site.remove("/actualites/page-06")
    sync(site)
    assert sync(site).retired == 1
    by_hand.refresh_from_db()
    after = (by_hand.status, by_hand.updated_at, list(by_hand.chunks.values_list("pk", "text")))
    assert after == before


def test_it_leaves_a_page_the_team_retired_out(town_site):
    site = website(town_site)
    sync(site)
    doc = Document.objects.get(source_url=town_site.url + "/vie-pratique/page-07")
    retire(doc)
    town_site.change("/vie-pratique/page-07", filler("Marché", "Le marché déménage.", 7))
    sync(site)
    doc.refresh_from_db()
    assert doc.status == Document.Status.RETIRED and not doc.chunks.exists()


def test_it_respects_the_page_cap_and_visits_the_rest_at_the_next_run(town_site):
    site = website(town_site, max_pages=10)
    first = sync(site)
    assert len(town_site.page_hits()) == 10
    note = first.lines.get(kind="note", reason__contains="limit").reason
    assert "limit of 10 pages per run" in note and "24 pages wait for the next run" in note
    visited = {hit.path for hit in town_site.page_hits()}
    start = len(town_site.hits)
    sync(site)
    again = {hit.path for hit in town_site.page_hits(since=start)}
    assert len(again) == 10 and not again & visited  # never-fetched pages first
    assert not SitePage.objects.filter(missing_run__isnull=False).exists()


def test_it_respects_the_byte_cap(local):
    text = filler("Page", "Texte.", 1)
    pages = {f"/grande/{i}": Page(f"Grande {i}", text, size=300_000) for i in range(8)}
    with TownSite(pages) as town_site:
        run = sync(website(town_site, max_megabytes=1))
    cap = 1024 * 1024
    served = sum(hit.sent for hit in town_site.hits if hit.status == 200)
    assert run.bytes_fetched <= cap
    assert served <= cap + 300_000  # the page that did not fit was refused from its length
    assert run.added == 3 and len(town_site.page_hits()) == 4
    assert "limit of 1 MB per run" in run.lines.get(kind="note", reason__contains="limit").reason


def test_it_keeps_to_the_rate_of_the_site(local):
    pages = {f"/page/{i}": Page(f"Page {i}", filler("Page", "Texte.", i)) for i in range(9)}
    with TownSite(pages) as town_site:
        sync(website(town_site, rate=4))
    times = [hit.at for hit in town_site.hits]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 12  # robots.txt, index, one sitemap, 9 pages
    # Start to start, as the server saw them: its threads may note a request a few tens of
    # milliseconds late on a loaded machine (without the rate, gaps are a few ms).
    assert min(gaps) >= 0.25 - 0.05
    assert (times[-1] - times[0]) / (len(times) - 1) >= 0.25 - 0.01


def test_it_honours_the_crawl_delay_of_robots_txt(local):
    pages = {f"/page/{i}": Page(f"Page {i}", filler("Page", "Texte.", i)) for i in range(2)}
    robots = "User-agent: *\nCrawl-delay: 1\n\nSitemap: {root}/sitemap_index.xml\n"
    with TownSite(pages, robots=robots) as town_site:
        sync(website(town_site, rate=50))
    times = [hit.at for hit in town_site.hits[1:]]  # from the first request after robots.txt
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 1 - 0.05  # see above


def test_it_follows_links_to_the_set_depth_without_a_sitemap(local):
    text = filler("Page", "Texte.", 1)
    pages = {
        "/": Page("Accueil", text, links=["/a", "/prive/x", "/doc.pdf", "https://example.org/"]),
        "/a": Page("Niveau un", text, links=["/b", "/a#haut"]),
        "/b": Page("Niveau deux", text, links=["/c"]),
        "/c": Page("Niveau trois", text),
        "/prive/x": Page("Privé", text),
        "/doc.pdf": Page("PDF", text),
    }
    with TownSite(pages, robots="User-agent: *\nDisallow: /prive/\n", sitemap=False) as town_site:
        town_site.menu = []
        site = website(town_site, max_depth=2)
        first = sync(site)
        second = sync(site)
    paths = [hit.path for hit in town_site.page_hits()]
    assert set(paths) == {"/", "/a", "/b"}
    assert synced_urls() == {town_site.url + p for p in ("/", "/a", "/b")}
    assert not first.by_sitemap and first.added == 3
    assert (second.unchanged, second.retired) == (3, 0)
    assert not second.lines.filter(kind="missing").exists()  # links kept across the 304s


def test_it_syncs_the_target_of_an_in_site_redirect_once(local):
    text = filler("Page", "Texte.", 1)
    pages = {"/ancien": Page("Ancien", location="/nouveau"), "/nouveau": Page("Nouveau", text)}
    with TownSite(pages) as town_site:
        run = sync(website(town_site))
    assert run.added == 1 and run.failed == 0
    assert synced_urls() == {town_site.url + "/nouveau"}


def test_it_refuses_a_site_inside_the_private_network_without_the_test_allowance(
    town_site, settings
):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = False
    run = sync(website(town_site))
    assert run.status == SyncRun.Status.STOPPED
    assert "private network" in run.stop_reason and "nothing was changed" in run.stop_reason
    assert town_site.hits == [] and not Document.objects.exists()


def test_it_stops_when_robots_txt_has_a_server_error(local):
    with TownSite({"/": Page("Accueil", "Texte.")}) as town_site:
        town_site.pages["/robots.txt"] = Page("", status=503)
        town_site.robots = None
        run = sync(website(town_site))
    assert run.status == SyncRun.Status.STOPPED
    assert "robots.txt could not be read" in run.stop_reason


def test_it_retires_nothing_when_the_sitemap_cannot_be_read(town_site):
    site = website(town_site)
    sync(site)
    town_site.sitemap = False  # the index now answers 404
    for _ in range(2):
        run = sync(site)
        assert run.status == SyncRun.Status.STOPPED
        assert "sitemap could not be read" in run.stop_reason
    assert synced_urls() == ordinary(town_site)


def test_it_reports_in_french(town_site, settings):
    from django.utils import translation

    with translation.override("fr"):
        run = sync(website(town_site))
    assert "a mis trop de temps" in lines(run, SyncLine.Kind.FAILED)[town_site.url + "/lente"]


@pytest.mark.security
def test_it_never_follows_a_redirect_off_the_site(local, monkeypatch):
    from knowledge import fetch

    contacted = []
    real = fetch.socket.create_connection
    monkeypatch.setattr(
        fetch.socket,
        "create_connection",
        lambda address, *a, **k: contacted.append(address[0]) or real(address, *a, **k),
    )
    pages = {
        "/metadonnees": Page("Piège", location="http://169.254.169.254/latest/meta-data/"),
        "/mairie": Page("Mairie", filler("Mairie", "Ouverte le lundi.", 1)),
    }
    with TownSite(pages) as town_site:
        run = sync(website(town_site))
    assert set(contacted) == {"127.0.0.1"}
    assert synced_urls() == {town_site.url + "/mairie"} and run.failed == 0
