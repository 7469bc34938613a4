"""A town's web site served on 127.0.0.1 for the website-sync tests and benchmark.

    with TownSite(town_pages()) as site:       # site.url -> "http://127.0.0.1:<port>"
        site.change("/actualites/marche", "Le marché se tient désormais le dimanche.")
        site.remove("/actualites/brocante")
        site.hits                               # every request: path, headers, time, status

Pages answer with an ETag and a Last-Modified date and honour If-None-Match and
If-Modified-Since with a 304, as a real CMS behind a cache does. robots.txt names a sitemap
index whose children are a gzip sitemap and a plain one. Each page carries a menu, a footer
and a cookie banner around its content, so extraction can be checked to leave them out.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOTS = """User-agent: *
Disallow: /prive/

User-agent: ArcaChat
Disallow: /prive/
Disallow: /brouillons/

Sitemap: {root}/sitemap_index.xml
"""


@dataclass
class Page:
    title: str
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow page)
    location: str = ""  # a redirect's target path
    listed: bool = True  # in the sitemap
    section: str = "pages"  # which child sitemap lists it
    modified: float = 1767261600.0  # 2026-01-01 10:00 UTC
    links: list[str] = field(default_factory=list)
    size: int = 0  # pad the body to this many bytes (byte-cap tests)
    snippet: str = ""  # raw HTML before </body>, as pasted into a CMS block (embed tests)
    head: str = ""  # raw HTML at the end of <head> (a theme's viewport and styles)


@dataclass
class Hit:
    path: str
    headers: dict
    at: float
    status: int = 0
    sent: int = 0  # body bytes


def page_html(page: Page, menu: list[str]) -> bytes:
    links = "".join(f'<li><a href="{p}">{html.escape(p)}</a></li>' for p in menu)
    more = "".join(f'<p><a href="{p}">Voir aussi {html.escape(p)}</a></p>' for p in page.links)
    body = (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(page.title)} | Ville de Port-Lumière</title>{page.head}</head><body>"
        f"<header><nav><ul><li><a href='/'>Accueil</a></li>{links}</ul></nav></header>"
        f"<main><article><h1>{html.escape(page.title)}</h1>"
        f"<p>{html.escape(page.text)}</p>{more}</article></main>"
        "<footer><p>Mairie de Port-Lumière, 1 place de la Mairie. Mentions légales. "
        "Plan du site.</p></footer>"
        "<div class='cookie-banner' id='cookies'>Ce site utilise des cookies de mesure "
        f"d'audience. <button>Tout accepter</button></div>{page.snippet}</body></html>"
    )
    data = body.encode()
    if page.size > len(data):
        data += b"<!--" + b"x" * (page.size - len(data) - 7) + b"-->"
    return data


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        site = self.server.site
        hit = Hit(self.path, dict(self.headers), time.monotonic())
        with site.lock:
            site.hits.append(hit)
        # The client may give up (a time-out, a size cap): what the test wanted.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            hit.status, hit.sent = self._answer(site, self.path.split("#")[0])

    def _send(self, status: int, body: bytes = b"", content_type="text/html; charset=utf-8", **h):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in h.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)
        return status, len(body)

    def _answer(self, site: TownSite, path: str) -> tuple[int, int]:
        if path == "/robots.txt" and site.robots is not None:
            return self._send(200, site.robots.format(root=site.url).encode(), "text/plain")
        if path in site.sitemaps():
            return self._send(200, site.sitemaps()[path], "application/xml")
        page = site.pages.get(path)
        if page is None:
            return self._send(404, b"<h1>Page introuvable</h1>")
        if page.delay:
            time.sleep(page.delay)
        if page.location:
            return self._send(page.status if page.status != 200 else 302, Location=page.location)
        if page.status != 200:
            return self._send(page.status, b"<h1>Erreur</h1>")
        body = page_html(page, site.menu)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(page.modified, usegmt=True)
        if self._fresh(etag, page.modified):
            return self._send(304, ETag=etag, Last_Modified=modified)
        return self._send(200, body, ETag=etag, Last_Modified=modified)

    def _fresh(self, etag: str, modified: float) -> bool:
        if "If-None-Match" in self.headers:
            return etag in self.headers["If-None-Match"]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return email.utils.parsedate_to_datetime(since).timestamp() >= int(modified)
            except (TypeError, ValueError):
                return False
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: TownSite


class TownSite:
    """The site on 127.0.0.1:<free port>, from a thread; mutate `pages` between runs."""

    def __init__(self, pages: dict[str, Page], robots: str | None = ROBOTS, sitemap=True):
        self.pages = pages
        self.robots = robots
        self.sitemap = sitemap
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.menu = [p for p in list(pages)[:6] if pages[p].status == 200]
        self._httpd: _Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def sitemaps(self) -> dict[str, bytes]:
        """/sitemap_index.xml, and one child per section (gzip for "pages")."""
        if not self.sitemap:
            return {}
        sections: dict[str, list[str]] = {}
        for path, page in self.pages.items():
            if page.listed:
                sections.setdefault(page.section, []).append(path)
        files = {}
        children = []
        for section, paths in sections.items():
            urls = "".join(
                f"<url><loc>{self.url}{html.escape(p)}</loc>"
                f"<lastmod>{time.strftime('%Y-%m-%d', time.gmtime(self.pages[p].modified))}"
                "</lastmod></url>"
                for p in paths
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            ).encode()
            name = f"/sitemaps/{section}.xml" + (".gz" if section == "pages" else "")
            files[name] = gzip.compress(xml) if name.endswith(".gz") else xml
            children.append(f"<sitemap><loc>{self.url}{name}</loc></sitemap>")
        files["/sitemap_index.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(children)}'
            "</sitemapindex>"
        ).encode()
        return files

    def change(self, path: str, text: str) -> None:
        page = self.pages[path]
        page.text, page.modified = text, page.modified + 86400

    def remove(self, path: str) -> None:
        del self.pages[path]

    def page_hits(self, since: int = 0) -> list[Hit]:
        """Requests for pages (not robots.txt nor sitemaps), from the `since`-th request on."""
        maps = set(self.sitemaps()) | {"/robots.txt", "/sitemap.xml"}
        return [hit for hit in self.hits[since:] if hit.path not in maps]

    def start(self) -> TownSite:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.site = self
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> TownSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


TOPICS = [
    (
        "Mairie",
        "La mairie est ouverte du lundi au vendredi de 9 h à 17 h, le samedi de 9 h à 12 h.",
    ),
    ("Piscine municipale", "La piscine est ouverte du mardi au dimanche ; entrée adulte 4 euros."),
    ("Médiathèque", "La médiathèque prête livres, revues et films ; l'inscription est gratuite."),
    ("Marché", "Le marché se tient le samedi matin place du Port, de 8 h à 13 h."),
    ("Encombrants", "La collecte des encombrants a lieu le premier mardi du mois sur rendez-vous."),
    ("Déchèterie", "La déchèterie de la route des Dunes est ouverte tous les jours sauf le jeudi."),
    ("Plages", "Les plages sont surveillées du 1er juillet au 31 août, de 11 h à 19 h."),
    (
        "Cantine scolaire",
        "Les inscriptions à la cantine se font au guichet unique avant le 30 juin.",
    ),
]


def filler(topic: str, text: str, number: int) -> str:
    """A paragraph long enough to be read as an article (trafilatura skips mere snippets)."""
    return (
        f"{text} Renseignements à l'accueil de la mairie ou au 05 00 00 10 {number:02d}. "
        f"Cette page présente le service « {topic} » de la ville de Port-Lumière : horaires, "
        "tarifs, démarches et contacts utiles pour les habitants et les visiteurs."
    )


def town_pages(count: int = 30) -> dict[str, Page]:
    """`count` ordinary pages, and the awkward ones every real site has: pages robots.txt
    forbids, a redirect loop, a slow page, a server error, an unlisted page."""
    pages = {}
    for i in range(count):
        topic, text = TOPICS[i % len(TOPICS)]
        section = "actualites" if i % 3 == 0 else "vie-pratique"
        pages[f"/{section}/page-{i:02d}"] = Page(
            f"{topic} ({i})",
            filler(topic, text, i),
            section="actus" if section == "actualites" else "pages",
        )
    pages["/prive/budget-brouillon"] = Page("Brouillon", "Ne pas publier.")
    pages["/brouillons/agenda"] = Page("Agenda en préparation", "Pas encore prêt.")
    pages["/boucle-a"] = Page("Boucle", location="/boucle-b")
    pages["/boucle-b"] = Page("Boucle", location="/boucle-a")
    pages["/lente"] = Page("Page lente", filler("Lente", "Une page lente.", 98), delay=3.0)
    pages["/en-panne"] = Page("Page en panne", status=500)
    pages["/non-listee"] = Page("Page non listée", filler("Cachée", "Absente du plan.", 99))
    pages["/non-listee"].listed = False
    return pages
