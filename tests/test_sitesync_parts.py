"""The website sync's small parts: sitemaps read without trusting them, address rules, pacing,
and what is read from a page."""

import datetime as dt
import gzip

import pytest

from knowledge.crawl import Pacer, SiteRules, normalize_url, user_agent
from knowledge.extract import IngestError
from knowledge.models import WebSite
from knowledge.sitemaps import gunzip, read_sitemap
from knowledge.webpage import read_web_page

pytestmark = pytest.mark.usefixtures("english")
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def test_it_reads_a_sitemap_index_and_a_gzip_list_of_pages():
    index = read_sitemap(
        f"<sitemapindex {NS}><sitemap><loc> https://ville.fr/a.xml.gz </loc></sitemap>"
        "<!-- a comment --></sitemapindex>".encode()
    )
    assert index.sitemaps == ["https://ville.fr/a.xml.gz"] and index.pages == []
    pages = read_sitemap(
        gzip.compress(
            f"<urlset {NS}><url><loc>https://ville.fr/mairie</loc>"
            "<lastmod>2026-03-01T10:00:00+01:00</lastmod></url>"
            "<url><loc>https://ville.fr/plage</loc><lastmod>hier</lastmod></url></urlset>".encode()
        )
    )
    assert pages.pages == [
        ("https://ville.fr/mairie", dt.date(2026, 3, 1)),
        ("https://ville.fr/plage", None),
    ]


def test_it_reads_a_plain_text_sitemap():
    listed = read_sitemap(b"https://ville.fr/a\n\nhttps://ville.fr/b\n# not an address\n")
    assert [url for url, _ in listed.pages] == ["https://ville.fr/a", "https://ville.fr/b"]


@pytest.mark.security
def test_it_refuses_a_gzip_bomb_before_inflating_it():
    bomb = gzip.compress(b"<" + b"a" * (8 * 1024 * 1024))
    assert len(bomb) < 20_000
    with pytest.raises(IngestError, match="more than 1 MB"):
        gunzip(bomb, limit=1024 * 1024)


@pytest.mark.security
def test_it_never_expands_entities_of_a_sitemap(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">'
        '<!ENTITY y "https://ville.fr/y">]>'
        f"<urlset {NS}><url><loc>&x;</loc></url><url><loc>&y;</loc></url></urlset>"
    )
    listed = read_sitemap(xml.encode())
    assert all("mot de passe" not in url for url, _ in listed.pages)
    assert "https://ville.fr/y" not in [url for url, _ in listed.pages]


@pytest.mark.parametrize("body", [b"<html><body>Accueil</body></html>", b"", b"\x00\x01"])
def test_it_says_when_an_address_holds_no_sitemap(body):
    with pytest.raises(IngestError, match="does not hold a sitemap"):
        read_sitemap(body)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Ville.FR:443/Mairie?b=1#haut", "https://ville.fr/Mairie?b=1"),
        ("http://ville.fr", "http://ville.fr/"),
        ("http://ville.fr:8080/a", "http://ville.fr:8080/a"),
        ("https://user:pw@ville.fr/", None),
        ("javascript:alert(1)", None),
        ("mailto:mairie@ville.fr", None),
        ("http://[::1", None),
        ("https://ville.fr/" + "a" * 1000, None),
    ],
)
def test_it_normalizes_addresses(url, normal):
    assert normalize_url(url) == normal


def rules(robots: str = "", **fields) -> SiteRules:
    fields.setdefault("start_url", "https://www.ville.fr/")
    return SiteRules(WebSite(name="Ville", **fields), robots)


def test_it_keeps_to_the_site_with_or_without_www():
    site = rules()
    assert site.in_site("https://ville.fr/a") and site.in_site("http://www.ville.fr/b")
    assert not site.in_site("https://ville.fr.evil.example/") and not site.in_site(
        "ftp://ville.fr/"
    )
    assert site.refusal("https://autre.fr/") == "offsite"


def test_it_applies_the_teams_paths():
    site = rules(
        include_paths="/vie-pratique/\nactualites/*",
        exclude_paths="*?page=*\n/vie-pratique/archives",
    )
    assert site.refusal("https://ville.fr/vie-pratique/piscine") is None
    assert site.refusal("https://ville.fr/actualites/marche") is None
    assert site.refusal("https://ville.fr/agenda") == "excluded"
    assert site.refusal("https://ville.fr/actualites/?page=2") == "excluded"
    assert site.refusal("https://ville.fr/vie-pratique/archives/2019") == "excluded"


def test_it_obeys_robots_txt_rules_for_its_own_name():
    robots = (
        "User-agent: *\nDisallow: /prive/\n\n"
        "User-agent: ArcaChat\nDisallow: /brouillons/\nCrawl-delay: 3\n"
    )
    site = rules(robots=robots)
    assert site.refusal("https://ville.fr/brouillons/x") == "robots"
    assert site.refusal("https://ville.fr/prive/x") is None  # its own group replaces "*"
    assert site.crawl_delay() == 3


def test_it_skips_files_that_are_not_pages():
    site = rules()
    assert not site.is_page("https://ville.fr/magazine.PDF")
    assert site.is_page("https://ville.fr/mairie") and site.is_page("https://ville.fr/a.html")


def test_it_spaces_requests_start_to_start():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(0.5, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    now[0] += 0.2  # the request took 0.2 s
    pacer.wait()
    now[0] += 0.9  # this one took longer than the interval
    pacer.wait()
    assert slept == [0.3]


def test_it_names_the_town_in_ascii(settings):
    settings.TOWN_NAME = "Bœuf-sur-Mer (Côte d'Émeraude)\r\nX-Evil: 1"
    agent = user_agent()
    assert agent.isascii() and "\r" not in agent and "\n" not in agent
    assert "Boeuf-sur-Mer Cote d'Emeraude" in agent


def test_it_reads_the_main_content_title_and_links_of_a_page():
    html = (
        "<html><head><title>Piscine | Ville</title><meta property='og:title' content='Piscine "
        "municipale'><meta property='article:modified_time' content='2026-04-02'>"
        "<base href='/vie-pratique/'></head><body><nav><a href='/'>Accueil</a></nav>"
        "<main><h1>Piscine</h1><h2>Horaires</h2><p>Ouverte du mardi au dimanche de 10 h à 19 h, "
        "le bassin de 25 mètres est chauffé toute l'année pour les nageurs et les familles.</p>"
        "<p><a href='tarifs'>Tarifs</a> <a rel='nofollow' href='/connexion'>Connexion</a></p>"
        "</main><footer>Mentions légales</footer></body></html>"
    ).encode()
    page = read_web_page(html, "https://ville.fr/vie-pratique/piscine")
    assert page.title == "Piscine municipale" and page.date == dt.date(2026, 4, 2)
    assert "## Horaires" in page.text and "Ouverte du mardi" in page.text
    assert "Accueil" not in page.text and "Mentions légales" not in page.text
    assert page.links == ["https://ville.fr/", "https://ville.fr/vie-pratique/tarifs"]


def test_it_tries_a_locked_write_again_and_lets_other_errors_rise(monkeypatch):
    from django.db import OperationalError

    from knowledge import sitesync

    monkeypatch.setattr(sitesync, "LOCKED_PAUSES", (0.0, 0.0, 0.0))
    answers = [OperationalError("database table is locked: knowledge_syncrun")] * 2 + [1]

    def write():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert sitesync.patiently(write) == 1  # the page's poll let go of the table
    broken = OperationalError("no such column: heartbeat")
    with pytest.raises(OperationalError, match="no such column"):
        sitesync.patiently(lambda: (_ for _ in ()).throw(broken))
    still = OperationalError("database is locked")
    with pytest.raises(OperationalError, match="locked"):  # after the last pause, it rises
        sitesync.patiently(lambda: (_ for _ in ()).throw(still))
