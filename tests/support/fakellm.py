"""A fake LLM vendor on 127.0.0.1: scripted answers and faults over real HTTP, in the wire
protocol of OpenAI (and OpenAI-compatible servers), Anthropic or Mistral (see wires.py)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .wires import WIRES

FAULTS = {
    None,
    "read_timeout",  # send headers (and `fault_after` text chunks), then stall
    "cut",  # stream `fault_after` text chunks, then drop the connection mid-body
    "malformed",  # after `fault_after` text chunks, send an event that is not JSON
    "unfinished",  # after `fault_after` text chunks, end the body cleanly with no end event
}
FRAMINGS = {
    "chunked",  # Transfer-Encoding: chunked, ended by its last chunk
    "close",  # no length and no chunking: the body ends when the server closes (HTTP/1.1)
}


@dataclass
class Script:
    """What the fake server answers: `chunks` as given, or else `text` cut every
    `chunk_chars` characters; `fault` breaks the stream, a `status` other than 200 refuses
    before it. Fields may be changed between requests. Counts follow our Usage: input includes
    cached tokens (cache reads) and cache writes (only the Anthropic wire reports writes)."""

    text: str = "Bonjour ! La mairie est ouverte du lundi au vendredi, de 9 h à 17 h."
    chunks: list[str] | None = None
    chunk_chars: int = 6
    delay: float = 0.0  # seconds between text chunks
    input_tokens: int = 120
    output_tokens: int = 18
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    send_usage: bool = True
    fault: str | None = None
    status: int = 200  # else answer it (401, 429 with Retry-After, 500…) with the JSON error
    retry_after: str | None = None
    fault_after: int | None = None  # text chunks sent before the fault (default: half)
    pause_after: int | None = None  # text chunks sent before waiting for `release`
    release: threading.Event = field(default_factory=threading.Event)
    expect_key: str | None = None  # answer 401 unless the request carries this key
    framing: str = "chunked"  # how a streamed body is delimited (FRAMINGS)

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}: use one of {sorted(map(str, FAULTS))}")
        if self.framing not in FRAMINGS:
            raise ValueError(f"unknown framing {self.framing!r}: use one of {sorted(FRAMINGS)}")

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        size = max(1, self.chunk_chars)
        return [self.text[i : i + size] for i in range(0, len(self.text), size)]

    def fault_index(self) -> int:
        return len(self.pieces()) // 2 if self.fault_after is None else self.fault_after


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Small SSE writes must leave at once (no Nagle / delayed-ACK 40 ms stalls).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # noqa: A002 - quiet test output
        pass

    def do_POST(self):  # noqa: N802 - http.server naming
        try:
            self._answer()
        except (ConnectionError, OSError):
            self.close_connection = True  # the client went away: nothing to tell it

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        fake = self.server.fake
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
        script = fake.script
        limit = (body or {}).get("max_tokens") or (body or {}).get("max_completion_tokens")
        if isinstance(limit, int) and limit < script.output_tokens:  # as a vendor: never more
            script = replace(script, output_tokens=limit)
        if self.path.split("?")[0] != fake.wire.path:
            return self._json(404, fake.wire.error(404, f"no route {self.path}"))
        if script.expect_key is not None and not self._has_key(script.expect_key):
            return self._json(401, fake.wire.error(401, "invalid api key"))
        if script.status != 200:
            extra = {"Retry-After": script.retry_after} if script.retry_after else {}
            return self._json(script.status, fake.wire.error(script.status, "scripted"), extra)
        self._stream(script, fake)

    def _has_key(self, key: str) -> bool:
        sent = self.headers.get("authorization", "").removeprefix("Bearer ")
        return key in (sent, self.headers.get("x-api-key"))

    def _json(self, status: int, payload: dict, extra: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _frame(self, data: bytes) -> None:
        if self.server.fake.script.framing == "close":
            self.wfile.write(data)
        else:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_body(self) -> None:
        """The end of a complete body: the last chunk, or closing the connection."""
        if self.server.fake.script.framing == "close":
            self.close_connection = True
        else:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _stall(self) -> None:
        self.server.fake.stopping.wait(30)
        self.close_connection = True

    def _stream(self, script: Script, fake: FakeServer) -> None:
        wire = fake.wire
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if script.framing == "close":
            self.send_header("Connection", "close")
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        faulty = script.fault in ("read_timeout", "cut", "malformed", "unfinished")
        fault_at = script.fault_index() if faulty else -1
        for frame in wire.start(script):
            self._frame(frame)
        for index, piece in enumerate(script.pieces()):
            if index == fault_at:
                return self._fault(script)
            if index == script.pause_after:
                script.release.wait(10)
            if script.delay and index:
                time.sleep(script.delay)
            self._frame(wire.text(piece))
        if fault_at >= len(script.pieces()):
            return self._fault(script)
        for frame in wire.end(script):
            self._frame(frame)
        self._end_body()

    def _fault(self, script: Script) -> None:
        if script.fault == "read_timeout":
            return self._stall()
        if script.fault == "malformed":
            self._frame(b'data: {"choices": [{"delta": {"content": "oops"\n\n')
            self._frame(b"event: content_block_delta\ndata: {not json at all\n\n")
            return self._end_body()
        if script.fault == "unfinished":  # a valid body, but the vendor's end event is missing
            return self._end_body()
        # "cut": drop the connection without ending the chunked body.
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    fake: FakeServer

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up is normal
            super().handle_error(request, client_address)


class FakeServer:
    """A fake vendor API on 127.0.0.1:<free port>, served from a thread.

        with FakeServer("openai", Script(text="Bonjour")) as server:
            AsyncOpenAI(base_url=server.base_url, api_key="k")

    `base_url` is what the vendor SDK expects (OpenAI: ending in /v1; Anthropic and Mistral:
    the root). Swap `server.script` (or change its fields) between requests;
    `server.requests` records each request's path, headers and JSON body.
    """

    def __init__(self, protocol: str = "openai", script: Script | None = None, model="fake"):
        self.wire = WIRES[protocol](model)
        self.protocol = protocol
        self.script = script or Script()
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        self._httpd: _Server | None = None

    @property
    def root_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + self.wire.url_suffix

    @property
    def bodies(self) -> list:
        """The JSON body of each request received, oldest first."""
        return [request["json"] for request in self.requests]

    def start(self) -> FakeServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), daemon=True, name="fake-llm"
        ).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.script.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
