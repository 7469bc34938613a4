"""Request bodies from outside (issue 13, item 8): a live process, raw sockets and real HTTP.

Above REQUEST_MAX_KB (the comms upload and the chat's question aside, each with its own
limit), a body is refused with 413 before it is read: a declared Content-Length at once,
with none of the body sent; a chunked body once it passes the limit.
"""

import socket
import time

import pytest

from arcachat.attachments import MAX_QUESTION_BYTES
from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_password

pytestmark = pytest.mark.security
KB, MB = 1024, 1024 * 1024
LIMIT = 256 * KB  # REQUEST_MAX_KB's default
UPLOAD_MB = 1  # KNOWLEDGE_MAX_UPLOAD_MB of the process


@pytest.fixture(scope="module")
def app():
    with IsolatedDatabase() as db:
        add_persona(db, "marius")
        with AppProcesses(
            db, WARM_UP="0", KNOWLEDGE_DENSE="0", KNOWLEDGE_MAX_UPLOAD_MB=str(UPLOAD_MB)
        ) as live:
            yield live


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def status_of(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        piece = sock.recv(4096)
        if not piece:
            break
        head += piece
    return int(head.split()[1]) if head else 0


def head(path: str, url: str, **headers) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.removeprefix('http://')}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    "path, declared",
    [
        ("/", 300 * MB),
        ("/signin", LIMIT + 1),
        ("/staff/login/", 50 * MB),
        ("/chat/ask", MAX_QUESTION_BYTES + 1),
        ("/comms/upload/", LIMIT + 1),  # anonymous: the big limit is for staff sessions
        ("/admin/login/", 2 * MB),
    ],
)
def test_it_refuses_a_declared_large_body_before_reading_any_of_it(app, path, declared):
    with connect(app.urls[0]) as sock:
        sock.sendall(head(path, app.urls[0], Content_Length=declared))
        started = time.monotonic()
        status = status_of(sock)  # nothing of the body was sent
    assert status == 413
    assert time.monotonic() - started < 5


def test_it_cuts_off_a_chunked_body_past_the_limit(app):
    piece = b"x" * (64 * KB)
    chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
    sent = 0
    with connect(app.urls[0]) as sock:
        sock.sendall(head("/signin", app.urls[0], Transfer_Encoding="chunked"))
        sock.settimeout(0.05)
        status = 0
        while sent < 64 * MB and not status:
            try:
                sock.sendall(chunk)
                sent += len(piece)
                status = status_of(sock)
            except TimeoutError:
                continue
            except OSError:  # the server closed the connection: read its answer
                sock.settimeout(5)
                status = status_of(sock)
                break
    assert status == 413
    assert sent < 8 * MB  # cut near 256 KB (socket buffers hold a few MB more)


def test_it_takes_a_batch_of_files_from_staff_up_to_ten_times_the_file_limit(app):
    url = app.urls[0]
    with from_address(url) as comms:
        assert try_password(comms, "marius", STAFF_PASSWORD).status_code == 302
        cookie = "; ".join(f"{name}={value}" for name, value in comms.cookies.items())
        token = csrf_of(comms.get("/comms/upload/"))
        fields = {"title": "Lot", "kind": "other", "published_on": "2026-12-01"}
        files = [
            ("files", (f"lot-{n}.txt", f"Lot {n}.\n".encode() + b"\n" * (900 * KB), "text/plain"))
            for n in range(2)
        ]  # 1.8 MB in all: more than one file's 1 MB
        batch = comms.post(
            "/comms/upload/", data={"csrfmiddlewaretoken": token, **fields}, files=files
        )
    assert batch.status_code == 302, batch.text[:2000]
    with connect(url) as sock:  # ten files' worth and more, even from staff: refused unread
        declared = 10 * UPLOAD_MB * MB + LIMIT + 1
        sock.sendall(head("/comms/upload/", url, Content_Length=declared, Cookie=cookie))
        assert status_of(sock) == 413


def test_it_still_takes_a_question_and_an_upload_within_their_own_limits(app):
    url = app.urls[0]
    with from_address(url) as comms:
        assert try_password(comms, "marius", STAFF_PASSWORD).status_code == 302
        token = csrf_of(comms.get("/comms/upload/"))
        text = "La piscine ouvre à 10 h.\n".encode() + b"\n" * (LIMIT + 50 * KB)
        fields = {"title": "Piscine", "kind": "other", "published_on": "2026-12-01"}
        upload = comms.post(
            "/comms/upload/",
            data={"csrfmiddlewaretoken": token, **fields},
            files={"files": ("piscine.txt", text, "text/plain")},
        )
    assert upload.status_code == 302, upload.text[:2000]
    with from_address(url) as anonymous:
        question = b'{"message": "' + b"a" * (LIMIT + KB) + b'"}'
        refused = anonymous.post("/chat/ask", content=question)
    assert refused.status_code == 403  # read, then refused for the missing CSRF token
