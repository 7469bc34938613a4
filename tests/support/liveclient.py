"""A resident's browser in a few lines: sign in over HTTP, then ask questions and time the SSE.

Sign-in uses httpx2 (cookies, CSRF token from the form). `Resident` asks with a tiny HTTP/1.1
client on asyncio streams with one keep-alive connection per resident, so that a load test
measures the app rather than the client: it records when the first `chunk` event and the
end of the answer arrive. `live_ask` asks once with httpx2 and tolerates any failure (the
fault suite), leaving early if told to.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx2

from .answers import Answer, parse_sse, split_events

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def run_async(coroutine):
    """asyncio.run() in a thread of its own: works even where an event loop is running
    (Playwright's sync API keeps one on the main thread of a test session)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def live_sign_in(base_url: str, code: str) -> tuple[int, dict | None]:
    """Sign in with a code as the landing page's form does: (status of the sign-in POST,
    the session's cookies and CSRF token if it led to the chat, else None)."""
    with httpx2.Client(base_url=base_url, timeout=30, follow_redirects=False) as client:
        landing = client.get("/")
        token = CSRF_INPUT.search(landing.text).group(1)
        answer = client.post("/signin", data={"code": code, "csrfmiddlewaretoken": token})
        if answer.status_code != 302 or not answer.headers["location"].endswith("/chat/"):
            return answer.status_code, None
        page = client.get("/chat/")
        token = CSRF_INPUT.search(page.text).group(1)
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return 302, {"cookie": cookies, "csrf": token}


def sign_in(base_url: str, code: str) -> dict:
    """The session of a sign-in that must work (RuntimeError if it is refused)."""
    status, session = live_sign_in(base_url, code)
    if session is None:
        raise RuntimeError(f"sign-in refused ({status})")
    return session


class Connection:
    """One keep-alive HTTP/1.1 connection to a host (reopened when the server closes it)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def post(self, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
        if self.writer is None:
            await self._open()
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
        self.writer.write("\r\n".join(head).encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        reply: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            reply[name.strip().lower()] = value.strip()
        return status, reply

    async def body_pieces(self, reply: dict):
        """The response body as it arrives (chunked or with a length)."""
        if reply.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data = await self.reader.readexactly(size)
                await self.reader.readexactly(2)
                yield data
        else:
            yield await self.reader.readexactly(int(reply.get("content-length", 0)))
        if reply.get("connection", "").lower() == "close":
            await self.close()


class Resident:
    """A signed-in resident asking questions on one connection."""

    def __init__(self, base_url: str, session: dict):
        self.connection = Connection(base_url)
        self.headers = {"Cookie": session["cookie"], "X-CSRFToken": session["csrf"]}

    async def ask(self, message: str, history=()) -> Answer:
        body = json.dumps({"message": message, "history": list(history), "language": "fr"})
        started = time.perf_counter()
        status, reply = await self.connection.post("/chat/ask", body.encode(), self.headers)
        answer = Answer(status)
        buffer = b""
        async for piece in self.connection.body_pieces(reply):
            buffer += piece
            if status != 200:
                continue
            found, rest = split_events(buffer.decode("utf-8", "ignore"))
            buffer = rest.encode()
            for name, data in found:
                if name == "chunk" and answer.first_chunk_s is None:
                    answer.first_chunk_s = time.perf_counter() - started
                answer.events.append((name, json.loads(data)))
        answer.total_s = time.perf_counter() - started
        if status != 200:
            answer.body = json.loads(buffer or b"{}")
        return answer

    async def close(self) -> None:
        await self.connection.close()


async def ask_provider_directly(connection: Connection, model: str = "fake") -> Answer:
    """The same question sent straight to an OpenAI-compatible server (the baseline)."""
    body = json.dumps(
        {
            "model": model,
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "Quand a lieu le marché ?"}],
        }
    )
    started = time.perf_counter()
    status, reply = await connection.post(
        "/v1/chat/completions", body.encode(), {"Authorization": "Bearer fake"}
    )
    answer = Answer(status)
    buffer = ""
    async for piece in connection.body_pieces(reply):
        found, buffer = split_events(buffer + piece.decode("utf-8", "ignore"))
        for _name, data in found:
            if data == "[DONE]":
                continue
            choices = json.loads(data).get("choices") or [{}]
            text = choices[0].get("delta", {}).get("content")
            if text and answer.first_chunk_s is None:
                answer.first_chunk_s = time.perf_counter() - started
            answer.events.append(("chunk", {"text": text or ""}))
    answer.total_s = time.perf_counter() - started
    return answer


def live_ask(
    base_url: str,
    session: dict,
    message: str = "Quand a lieu le marché ?",
    timeout: float = 30,
    leave_after: float | None = None,
) -> Answer:
    """Ask over HTTP; the browser leaves `leave_after` seconds after the first chunk."""
    headers = {"Cookie": session["cookie"], "X-CSRFToken": session["csrf"]}
    body = {"message": message, "history": [], "language": "fr"}
    started = time.monotonic()
    first = None
    raw = b""
    with (
        httpx2.Client(base_url=base_url, timeout=timeout) as client,
        client.stream("POST", "/chat/ask", json=body, headers=headers) as response,
    ):
        for piece in response.iter_bytes():
            raw += piece
            first = first or time.monotonic()
            if leave_after is not None and time.monotonic() - first >= leave_after:
                break  # closing the stream unread drops the connection
        kind = response.headers.get("content-type", "")
        status = response.status_code
    answer = Answer(status, total_s=time.monotonic() - started, raw=raw.decode("utf-8", "replace"))
    if kind.startswith("text/event-stream"):
        answer.events = parse_sse(answer.raw.rsplit("\n\n", 1)[0] + "\n\n")
    elif kind.startswith("application/json"):
        answer.body = json.loads(raw or b"{}")
    return answer


def live_json(url: str) -> tuple[int, dict, float]:
    """GET a JSON page (e.g. /healthz): status, body, seconds."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.loads(answer.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), time.monotonic() - started
