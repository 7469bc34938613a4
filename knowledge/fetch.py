"""Fetch a web page for ingestion, safely: http(s) only, public addresses only, size and time caps.

Every hop (including redirects) resolves the host name once, refuses private, loopback,
link-local, multicast and reserved addresses, then connects to that very address (no second
DNS lookup an attacker could rebind). The body is streamed and cut at the byte cap.
One deadline (KNOWLEDGE_URL_TIMEOUT) covers every hop's connection, TLS handshake, headers
and body: each read waits at most the time left, and a watchdog shuts the socket down when
the time is up, so a server dripping bytes cannot hold a fetch past the limit.
Tests may allow private addresses with the setting KNOWLEDGE_URL_ALLOW_PRIVATE.
The website sync (knowledge.sitesync) asks for one hop at a time, with conditional headers, a
byte budget and its own user agent; a 304 answers a conditional request, other statuses raise
HTTPError (its `status` tells a page gone, 404/410, from a server in trouble).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .extract import IngestError

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
READ_SIZE = 65536
USER_AGENT = "ArcaChat document fetcher (+https://github.com/arcachat)"


@dataclass
class FetchedPage:
    """What an address served; with follow_redirects=False a 3xx gives its target as `url`."""

    url: str
    content_type: str
    body: bytes
    status: int = 200
    etag: str = ""
    last_modified: str = ""


@dataclass
class _Request:
    headers: dict
    max_bytes: int
    conditional: bool


class HTTPError(IngestError):
    """The server answered with an error status (kept in `status`)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class TooLarge(IngestError):
    """The body went past the byte cap of this fetch."""


class _Deadline:
    """The time left for the whole fetch; when it runs out, the watched socket is shut down."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        """Seconds left, or the 'too long' IngestError when none are."""
        left = self.end - time.monotonic()
        if self.expired or left <= 0:
            raise _too_slow()
        return left

    def watch(self, sock) -> None:
        """The socket to shut down on expiry (the current hop's, TLS-wrapped once it is).

        Call watch(None) before closing it: the shutdown runs under the same lock, so it can
        never hit a descriptor number the process has meanwhile reused.
        """
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                self._shutdown(sock)

    def settimeout(self) -> None:
        """Let the next blocking call on the watched socket wait only for the time left."""
        with self._lock:
            sock = self._sock
        if sock is not None:
            sock.settimeout(self.remaining())

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        with self._lock:
            if self._sock is not None:
                self._shutdown(self._sock)

    @staticmethod
    def _shutdown(sock) -> None:
        # The plain socket call: it wakes a reader blocked in another thread, TLS or not.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _public_address(host: str, port: int) -> str:
    """The first address of `host`, or IngestError if any address is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise IngestError(_("The address %(host)s does not exist.") % {"host": host}) from exc
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None)):
            raise IngestError(
                _(
                    "The name %(host)s could not be looked up (a network problem): "
                    "try again in a few minutes."
                )
                % {"host": host}
            ) from exc
        raise IngestError(_("The address %(host)s does not exist.") % {"host": host}) from exc
    addresses = [info[4][0] for info in infos]
    if not settings.KNOWLEDGE_URL_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise IngestError(
                    _("This address points inside a private network (%(ip)s): refused.")
                    % {"ip": ip}
                )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a fixed IP (the one checked), within the fetch's deadline."""

    def __init__(self, host, address, deadline: _Deadline, **kwargs):
        super().__init__(host, timeout=deadline.remaining(), **kwargs)
        self._address = address
        self._deadline = deadline

    def _open(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        self._deadline.watch(sock)
        return sock

    def connect(self):
        self.sock = self._open()
        self._deadline.settimeout()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a fixed IP while checking the certificate against the host name."""

    default_port = 443

    def connect(self):
        sock = ssl.create_default_context().wrap_socket(
            self._open(), server_hostname=self.host, do_handshake_on_connect=False
        )
        self._deadline.watch(sock)
        self.sock = sock
        self._deadline.settimeout()
        sock.do_handshake()
        self._deadline.settimeout()


def max_page_bytes() -> int:
    """The largest body one fetch takes (KNOWLEDGE_URL_MAX_BYTES)."""
    return settings.KNOWLEDGE_URL_MAX_BYTES


def fetch_url(
    url: str,
    *,
    headers: dict | None = None,
    follow_redirects: bool = True,
    max_bytes: int | None = None,
) -> FetchedPage:
    """GET `url` following up to 5 redirects; IngestError with a plain reason otherwise.

    `headers` are added to (or replace) the defaults; with If-None-Match or If-Modified-Since
    among them, a 304 comes back as a FetchedPage of status 304 and no body. `max_bytes`
    lowers the body cap below KNOWLEDGE_URL_MAX_BYTES (a run's byte budget)."""
    sent = {"User-Agent": USER_AGENT, "Accept": "text/html", **(headers or {})}
    cap = max_page_bytes()
    request = _Request(
        headers=sent,
        max_bytes=cap if max_bytes is None else min(cap, max_bytes),
        conditional=bool({"If-None-Match", "If-Modified-Since"} & set(sent)),
    )
    deadline = _Deadline(settings.KNOWLEDGE_URL_TIMEOUT)
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            page = _fetch_once(url, deadline, request)
            if isinstance(page, FetchedPage):
                return page
            if not follow_redirects:
                return FetchedPage(page[1], "", b"", status=page[0])
            url = page[1]
    finally:
        deadline.cancel()
    raise IngestError(_("The web page redirects too many times."))


def _fetch_once(url: str, deadline: _Deadline, request: _Request) -> FetchedPage | tuple:
    """One hop: the page, or (status, address) of the redirect."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IngestError(_("Only http:// and https:// web addresses can be fetched."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # out of range or not a number
        raise _bad_port() from exc
    if parts.port == 0:
        raise _bad_port()
    address = _public_address(parts.hostname, port)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    conn = cls(parts.hostname, address, deadline, port=port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    response = None
    try:
        conn.request("GET", path, headers=request.headers)
        response = conn.getresponse()
        deadline.remaining()  # headers that came in only as the watchdog fired do not count
        if response.status in REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise IngestError(_("The web page redirects nowhere."))
            return response.status, urljoin(url, location)
        if response.status == 304 and request.conditional:
            return _page(url, response, b"")
        if response.status != 200:
            raise HTTPError(
                _("The web page answered with error %(code)d.") % {"code": response.status},
                response.status,
            )
        return _page(url, response, _read_body(response, deadline, request.max_bytes))
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired or isinstance(exc, TimeoutError | socket.timeout):
            raise _too_slow() from exc
        raise IngestError(_network_reason(exc)) from exc
    finally:
        deadline.watch(None)
        if response is not None:
            response.close()
        conn.close()


def _page(url: str, response: http.client.HTTPResponse, body: bytes) -> FetchedPage:
    return FetchedPage(
        url,
        response.getheader("Content-Type", ""),
        body,
        status=response.status,
        etag=response.getheader("ETag", "")[:200],
        last_modified=response.getheader("Last-Modified", "")[:100],
    )


def _read_body(response: http.client.HTTPResponse, deadline: _Deadline, max_bytes: int) -> bytes:
    """The body, read as it arrives, each read waiting only for the time left; size-capped."""
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    while True:
        deadline.settimeout()
        chunk = response.read1(READ_SIZE)
        deadline.remaining()  # an end of data caused by the watchdog is a timeout, not the end
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)


def _network_reason(exc: BaseException) -> str:
    """A plain reason for a failed connection (no exception names for the comms team)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _(
            "The web site's security certificate is not valid (expired, or made for another "
            "address): the page was not fetched. Check the address, or tell the site's owner."
        )
    if isinstance(exc, ssl.SSLError):
        return _("A secure connection to the web site could not be set up.")
    if isinstance(exc, ConnectionRefusedError):
        return _("The web site refused the connection (its server may be stopped).")
    if isinstance(exc, http.client.HTTPException | ConnectionResetError | ConnectionAbortedError):
        return _("The web site broke off or sent an answer that could not be read.")
    return _("The web site could not be reached (a network problem): try again later.")


def _bad_port() -> IngestError:
    return IngestError(
        _(
            "This web address is not valid: the number after “:” (the port) must be between "
            "1 and 65535. Usually, just leave it out."
        )
    )


def _too_slow() -> IngestError:
    return IngestError(_("The web page took too long to answer."))


def _too_large(max_bytes: int) -> IngestError:
    return TooLarge(
        _("The web page is larger than %(mb).1f MB: refused.") % {"mb": max_bytes / 1048576}
    )
