"""Manners of the website sync: its user agent, the pace of its requests, and which addresses
belong to a synced site (same host, the team's include/exclude paths, robots.txt)."""

import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings

# The product token robots.txt rules may name ("User-agent: ArcaChat").
ROBOT_NAME = "ArcaChat"
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay is honoured up to this many seconds
# Files the link crawler does not fetch: they are not web pages (the comms team uploads the
# documents it wants, with their dates, on the upload page).
NOT_PAGES = frozenset(
    {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp"}
    | {".zip", ".gz", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico"}
    | {".mp3", ".mp4", ".avi", ".mov", ".webm", ".ics", ".csv", ".xml", ".json", ".css", ".js"}
)

# Letters NFKD does not take apart (Bœuf would become "Buf").
LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


def user_agent() -> str:
    """Names the town's assistant, in ASCII (header values are Latin-1 at most)."""
    town = settings.TOWN_NAME.translate(LIGATURES)
    town = unicodedata.normalize("NFKD", town).encode("ascii", "ignore").decode()
    town = re.sub(r"[^\w .'-]+", "", town).strip() or "la ville"
    return f"{ROBOT_NAME}/1.0 (assistant de la mairie de {town}; +https://github.com/arcachat)"


class Pacer:
    """Spaces requests at least `interval` seconds apart, start to start."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def wait(self) -> None:
        now = self._clock()
        if self._next > now:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def normalize_url(url: str) -> str | None:
    """The address as stored and compared: http(s) only, host in lower case, default port
    and #fragment dropped, "/" for an empty path; None for anything else or over 1000 chars."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != (443 if scheme == "https" else 80):
        host = f"{host}:{port}"
    result = urlunsplit((scheme, host, parts.path or "/", parts.query, ""))
    return result if len(result) <= 1000 else None


def _patterns(text: str) -> list[re.Pattern]:
    """One per line: a path prefix, or a shape where * stands for any text."""
    compiled = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith(("/", "*")):
            line = "/" + line
        body = ".*".join(re.escape(piece) for piece in line.split("*"))
        compiled.append(re.compile(body if "*" in line else re.escape(line) + ".*", re.DOTALL))
    return compiled


class SiteRules:
    """Which addresses a site's sync may fetch, and why not."""

    def __init__(self, site, robots_txt: str = ""):
        host = (urlsplit(site.start_url).hostname or "").lower()
        bare = host.removeprefix("www.")
        self.hosts = {bare, "www." + bare}
        self.include = _patterns(site.include_paths)
        self.exclude = _patterns(site.exclude_paths)
        self.robots = RobotFileParser()
        self.robots.parse(robots_txt.splitlines())

    def in_site(self, url: str) -> bool:
        """Same host as the start address (with or without www.), http or https."""
        try:
            parts = urlsplit(url)
            return parts.scheme in ("http", "https") and (parts.hostname or "") in self.hosts
        except ValueError:
            return False

    def refusal(self, url: str) -> str | None:
        """Why the sync leaves `url` alone ("offsite", "robots", "excluded"), or None."""
        if not self.in_site(url):
            return "offsite"
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if self.include and not any(p.fullmatch(path) for p in self.include):
            return "excluded"
        if any(p.fullmatch(path) for p in self.exclude):
            return "excluded"
        if not self.robots.can_fetch(user_agent(), url):
            return "robots"
        return None

    def is_page(self, url: str) -> bool:
        """Not a file the link crawler should skip (by the address's extension)."""
        return PurePosixPath(urlsplit(url).path).suffix.lower() not in NOT_PAGES

    def crawl_delay(self) -> float:
        """Seconds robots.txt asks between requests (Crawl-delay or Request-rate), or 0."""
        delay = float(self.robots.crawl_delay(ROBOT_NAME) or 0)
        rate = self.robots.request_rate(ROBOT_NAME)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return delay
