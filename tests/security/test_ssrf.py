"""SSRF on URL ingestion: only http(s) to public addresses, on every hop, whatever the disguise.

tests/test_knowledge_fetch.py already proves the deadline, the size cap, literal private
addresses and one redirect to loopback. Here: host names resolving inside the network (cloud
metadata included), mixed DNS answers, numeric disguises of 127.0.0.1, redirects to each kind
of forbidden target, and the comms form end to end. No connection may even be attempted.
"""

import html
import socket
import socketserver
import threading

import pytest

from knowledge import fetch
from knowledge.extract import IngestError
from knowledge.models import Document

pytestmark = [pytest.mark.security, pytest.mark.django_db, pytest.mark.usefixtures("english")]

INSIDE = [
    "127.0.0.1",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.10",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
    "198.18.0.1",
    "224.0.0.1",
    "::1",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
]


@pytest.fixture
def dns(monkeypatch):
    """dns["name.example"] = [addresses]: what getaddrinfo answers for those names."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def connections(monkeypatch):
    """Every address the fetcher connects to."""
    made = []
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):
        made.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "create_connection", create_connection)
    return made


@pytest.mark.parametrize("address", INSIDE)
def test_it_refuses_a_name_that_resolves_inside_the_network(address, dns, connections):
    dns["mairie-partenaire.example"] = [address]
    with pytest.raises(IngestError, match="private network"):
        fetch.fetch_url("https://mairie-partenaire.example/agenda")
    assert connections == []


def test_it_refuses_a_name_with_one_private_address_among_public_ones(dns, connections):
    dns["rebind.example"] = ["93.184.216.34", "10.0.0.1"]
    with pytest.raises(IngestError, match="private network"):
        fetch.fetch_url("http://rebind.example/")
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://0/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data/",
        "http://user:pass@169.254.169.254/",
        "http://169.254.169.254:80@example.org/",
    ],
)
def test_it_sees_through_numeric_disguises_of_inside_addresses(url, dns, connections):
    dns["example.org"] = ["10.9.8.7"]  # keeps the last case off the real network
    with pytest.raises(IngestError, match="private network"):
        fetch.fetch_url(url)
    assert connections == []


class _Redirector(socketserver.StreamRequestHandler):
    """Answers every request with a redirect to the server's `target`."""

    def handle(self):
        self.server.requests += 1
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        head = f"HTTP/1.1 302 Found\r\nLocation: {self.server.target}\r\nContent-Length: 0\r\n"
        self.wfile.write(head.encode() + b"Connection: close\r\n\r\n")


@pytest.fixture
def redirector(monkeypatch):
    """http://public.example:<port>/ answers a redirect; the name passes for a public one."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Redirector)
    server.daemon_threads = True
    server.requests = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    checked = fetch._public_address
    monkeypatch.setattr(
        fetch,
        "_public_address",
        lambda host, port: "127.0.0.1" if host == "public.example" else checked(host, port),
    )
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/iam/", "private network"),
        ("http://[::1]:6379/", "private network"),
        ("http://10.0.0.5/admin", "private network"),
        ("//169.254.169.254/latest/", "private network"),
        ("http://intranet.example/", "private network"),
        ("file:///etc/passwd", "Only http://"),
        ("gopher://127.0.0.1:6379/_INFO", "Only http://"),
        ("ftp://10.0.0.5/", "Only http://"),
    ],
)
def test_it_refuses_a_redirect_to_a_forbidden_target(target, reason, redirector, dns, connections):
    dns["intranet.example"] = ["10.0.0.5"]
    redirector.target = target
    port = redirector.server_address[1]
    with pytest.raises(IngestError, match=reason):
        fetch.fetch_url(f"http://public.example:{port}/agenda")
    assert redirector.requests == 1
    assert connections == [("127.0.0.1", port)]  # the first hop only


@pytest.fixture
def comms(client_for, english, eager_celery):
    return client_for("marius")


def add_by_address(client, url: str, capture):
    form = {"kind": "web_page", "published_on": "2026-11-01", "title": "", "url": url}
    with capture(execute=True):
        return client.post("/comms/upload/", form)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "private network"),
        ("http://[::1]:8000/admin/", "private network"),
        ("ftp://10.0.0.5/budget.pdf", "Only http:// and https://"),
    ],
)
def test_it_fails_a_forbidden_address_from_the_comms_form_with_its_reason(
    url, reason, comms, connections, django_capture_on_commit_callbacks
):
    add_by_address(comms, url, django_capture_on_commit_callbacks)
    doc = Document.objects.get()
    assert doc.status == Document.Status.FAILED and reason in doc.error
    assert reason in html.unescape(comms.get("/comms/").content.decode())
    assert not doc.file and connections == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_INFO"]
)
def test_it_refuses_other_schemes_in_the_comms_form_itself(
    url, comms, django_capture_on_commit_callbacks
):
    response = add_by_address(comms, url, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "Enter a valid URL" in response.content.decode()
    assert not Document.objects.exists()
