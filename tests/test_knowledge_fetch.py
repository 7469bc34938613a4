"""Fetching a web page: one deadline over connect, headers and body; size cap; no private hops."""

import datetime as dt
import socket
import socketserver
import ssl
import time

import pytest

from knowledge import fetch
from knowledge.extract import IngestError
from knowledge.fetch import fetch_url
from tests.support.sockets import serving

pytestmark = [pytest.mark.security, pytest.mark.usefixtures("english")]
LIMIT = 2.0
SLACK = 1.0  # the fetch must give up within LIMIT + SLACK seconds
PAGE = b"<html><head><title>Piscine</title></head><body>Ouverte le samedi.</body></html>"


class _Handler(socketserver.StreamRequestHandler):
    """A raw HTTP/1.1 server whose path says how (badly) to answer."""

    def handle(self):
        try:
            path = self.rfile.readline().split()[1].decode()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            getattr(self, "answer_" + path.strip("/").split("/")[0].replace("-", "_"))(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: that is what most tests want

    def _drip(self, data: bytes, every: float = 0.5):
        stop = time.monotonic() + 15
        for byte in data:
            if time.monotonic() > stop:
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(every)

    def _head(self, status="200 OK", length=None, extra=b""):
        head = f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n".encode()
        if length is not None:
            head += f"Content-Length: {length}\r\n".encode()
        self.wfile.write(head + extra + b"Connection: close\r\n\r\n")
        self.wfile.flush()

    def answer_page(self, path):
        self._head(length=len(PAGE))
        self.wfile.write(PAGE)

    def answer_drip_body(self, path):
        self._head(length=200)
        self._drip(b"x" * 200)

    def answer_drip_body_unsized(self, path):
        self._head()
        self._drip(b"x" * 200)

    def answer_drip_headers(self, path):
        self._drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200, every=0.3)

    def answer_silent(self, path):
        time.sleep(LIMIT + 4)

    def answer_slow_hop(self, path):
        """Each hop answers after 0.8 s with a redirect to the next: 5 hops exceed 2 s."""
        hop = int(path.rsplit("/", 1)[1])
        time.sleep(0.8)
        self._head("302 Found", 0, f"Location: /slow-hop/{hop + 1}\r\n".encode())

    def answer_big_unsized(self, path):
        self._head()
        for _ in range(40):
            self.wfile.write(b"y" * 65536)

    def answer_to_loopback(self, path):
        port = self.server.server_address[1]
        self._head("302 Found", 0, f"Location: http://127.0.0.1:{port}/page\r\n".encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def server(settings):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    settings.KNOWLEDGE_URL_TIMEOUT = LIMIT
    with serving(_Server(("127.0.0.1", 0), _Handler)) as srv:
        yield f"http://127.0.0.1:{srv.server_address[1]}"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for the name 'localhost' (key and certificate in one file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("tls") / "localhost.pem"
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(path)


class _TLSServer(_Server):
    def get_request(self):
        sock, address = super().get_request()
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


@pytest.fixture
def tls_server(server, certificate, monkeypatch):
    """The same answers over TLS, as https://localhost:<port>, trusted by the fetcher."""
    srv = _TLSServer(("127.0.0.1", 0), _Handler)
    srv.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.tls.load_cert_chain(certificate)
    trusting = ssl.create_default_context

    def create_default_context():
        context = trusting()
        context.load_verify_locations(certificate)
        return context

    monkeypatch.setattr(fetch.ssl, "create_default_context", create_default_context)
    with serving(srv):
        yield srv.server_address[1]


def _fails_in_time(url: str) -> str:
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        fetch_url(url)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT + SLACK, f"gave up after {elapsed:.1f} s for a {LIMIT} s limit"
    return str(caught.value)


def test_it_fetches_a_page_that_answers_in_time(server):
    page = fetch_url(f"{server}/page")
    assert page.body == PAGE
    assert page.content_type.startswith("text/html")


@pytest.mark.parametrize("path", ["/drip-body", "/drip-body-unsized"])
def test_it_gives_up_on_a_body_dripping_past_the_limit(server, path):
    assert "took too long" in _fails_in_time(server + path)


def test_it_gives_up_on_headers_dripping_past_the_limit(server):
    assert "took too long" in _fails_in_time(f"{server}/drip-headers")


def test_it_gives_up_on_a_server_that_never_answers(server):
    assert "took too long" in _fails_in_time(f"{server}/silent")


def test_it_counts_the_limit_over_all_redirect_hops(server):
    assert "took too long" in _fails_in_time(f"{server}/slow-hop/0")


def test_it_fetches_over_tls_checking_the_name_on_the_certificate(tls_server):
    assert fetch_url(f"https://localhost:{tls_server}/page").body == PAGE
    refused = _fails_in_time(f"https://127.0.0.1:{tls_server}/page")
    assert "security certificate is not valid" in refused
    assert "Error" not in refused  # no exception names for the comms team


def test_it_gives_up_on_a_body_dripping_over_tls(tls_server):
    assert "took too long" in _fails_in_time(f"https://localhost:{tls_server}/drip-body")


def test_it_gives_up_on_a_tls_handshake_that_never_comes(server):
    with socket.create_server(("127.0.0.1", 0)) as mute:  # accepts, never says a word
        port = mute.getsockname()[1]
        assert "took too long" in _fails_in_time(f"https://127.0.0.1:{port}/")


def test_it_cuts_a_body_without_length_at_the_size_cap(server, settings):
    settings.KNOWLEDGE_URL_MAX_BYTES = 1_000_000
    assert "larger than" in _fails_in_time(f"{server}/big-unsized")


def test_it_refuses_a_loopback_address_by_default(server, settings):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = False
    assert "private network" in _fails_in_time(f"{server}/page")


def test_it_refuses_a_redirect_to_a_private_address(server, settings, monkeypatch):
    """A public-looking host that redirects inside the network is refused at the second hop."""
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = False
    checked = fetch._public_address
    seen = []

    def pretend_public(host, port):
        seen.append(host)
        return "127.0.0.1" if host == "public.example" else checked(host, port)

    monkeypatch.setattr(fetch, "_public_address", pretend_public)
    port = server.rsplit(":", 1)[1]
    assert "private network" in _fails_in_time(f"http://public.example:{port}/to-loopback")
    assert seen == ["public.example", "127.0.0.1"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "http:///nohost"])
def test_it_refuses_anything_but_http_and_https(url):
    with pytest.raises(IngestError, match="Only http://"):
        fetch_url(url)


def test_it_explains_a_refused_connection_plainly(server):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    reason = _fails_in_time(f"http://127.0.0.1:{port}/")
    assert "refused the connection" in reason and "Error" not in reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [(socket.EAI_NONAME, "does not exist"), (socket.EAI_AGAIN, "could not be looked up")],
)
def test_it_explains_a_name_that_cannot_be_looked_up(monkeypatch, code, reason):
    def failing(*args, **kwargs):
        raise socket.gaierror(code, "lookup failed")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", failing)
    with pytest.raises(IngestError, match=reason):
        fetch_url("https://mairie.example/agenda")


@pytest.mark.parametrize("port", ["99999", "0", "8o"])
def test_it_explains_an_invalid_port(port):
    with pytest.raises(IngestError, match="between 1 and 65535"):
        fetch_url(f"https://x.fr:{port}/")
