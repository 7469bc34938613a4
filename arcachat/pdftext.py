"""Read the text of a resident's PDF in a child process with hard CPU, memory and time limits.

pypdf reads in pure Python: a 30 KB PDF of text operators that draw nothing took 20 s of CPU
in one request, and eight at once held every request thread (issue 13). So each PDF is read
in a process of its own, forked from a "reader" that has pypdf loaded already (forking costs
milliseconds, starting Python and pypdf ~0.2 s of CPU). The reader runs this file with
`python -I` in an empty environment (nothing to find there), below the web process's
priority; each child limits itself before it reads a byte: 1 s of CPU (RLIMIT_CPU, then the
kernel stops it), 300 MB of address space, no file written, each decoded stream capped
(STREAM_BYTES, STREAM_ELEMENTS). The reader kills a child still running after WALL_SECONDS.

A web process keeps READERS readers, each reading one PDF at a time. A PDF arriving while
all are busy is refused at once ("busy") rather than queued: a waiting reading would hold a
request thread that the other pages need (ASGI_THREADS, 8 by default).

This module must not import the project or Django: the readers run it as a script.
"""

from __future__ import annotations

import io
import json
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time

CPU_SECONDS = 1  # each child's CPU time, then the kernel stops it (SIGXCPU)
WALL_SECONDS = 1.2  # then the reader kills the child: a PDF is answered or refused within 2 s
MEMORY_BYTES = 300 * 1024 * 1024  # a child's address space; Python and pypdf take ~60 MB
STREAM_BYTES = 4 * 1024 * 1024  # one decoded stream; a page of text needs ~100 KB
# Operators and operands parsed per content stream (~0.3 s of CPU); a dense page has ~15,000.
STREAM_ELEMENTS = 100_000
READERS = 2  # readers per web process, one PDF at a time each
NICE = 5  # below the web process: its pages get the processor first (3 to 1 when both run)
STARTUP_SECONDS = 10  # a reader's start (Python, pypdf): ~0.2 s of CPU, once per reader
REPLY_SECONDS = WALL_SECONDS + 0.3  # then the web process gives up on its reader and kills it
REQUEST = struct.Struct("!III")  # PDF length, pages, characters
REPLY = struct.Struct("!I")  # JSON length
READY = b"R"  # a reader's first word: pypdf is loaded


class ReadFailed(Exception):
    """The PDF was not read: `reason` is "busy", "slow" (stopped) or "damaged"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Reader:
    """One reader process (started at its first PDF, again if it died) and its lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def _started(self) -> subprocess.Popen:
        """The running reader, started (and waited for) if there is none."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(  # noqa: S603 - this file, fixed arguments
                [sys.executable, "-I", __file__, "--reader"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={},
            )
            if _read_exactly(self.process.stdout, 1, STARTUP_SECONDS) != READY:
                raise OSError("the reader did not start")
        return self.process

    def read(self, raw: bytes, max_pages: int, max_chars: int) -> dict:
        try:
            process = self._started()
            process.stdin.write(REQUEST.pack(len(raw), max_pages, max_chars) + raw)
            process.stdin.flush()
            reply = _read_exactly(process.stdout, REPLY.size, REPLY_SECONDS)
            answer = _read_exactly(process.stdout, REPLY.unpack(reply)[0], 1)
        except (OSError, TimeoutError, struct.error):
            if self.process is not None:
                self.process.kill()  # out of step: the next PDF starts a new reader
            raise ReadFailed("slow") from None
        result = json.loads(answer)
        if "failed" in result:
            raise ReadFailed(result["failed"])
        return result


_readers = [Reader() for _ in range(READERS)]


def read_text(raw: bytes, max_pages: int, max_chars: int) -> dict:
    """{"text", "pages", "truncated", "encrypted"} of a PDF, or ReadFailed."""
    for reader in _readers:
        if reader.lock.acquire(blocking=False):
            try:
                return reader.read(raw, max_pages, max_chars)
            finally:
                reader.lock.release()
    raise ReadFailed("busy")


def _read_exactly(stream, size: int, seconds: float) -> bytes:
    deadline, data = time.monotonic() + seconds, b""
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise TimeoutError
        piece = os.read(stream.fileno(), size - len(data))
        if not piece:
            raise OSError("the reader stopped")
        data += piece
    return data


def _read_to_end(fd: int, seconds: float) -> bytes:
    """What a child writes on its pipe until it closes it, or TimeoutError."""
    deadline, pieces = time.monotonic() + seconds, []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        piece = os.read(fd, 65536)
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)


# --- The reader process (python -I pdftext.py --reader) and its children --------------------


def _configure(pypdf) -> None:
    """pypdf's own limits, lowered (pypdf 6.7+: Configuration; older: module constants)."""
    limits = {
        "zlib_maximum_output_length": STREAM_BYTES,
        "lzw_maximum_output_length": STREAM_BYTES,
        "run_length_maximum_output_length": STREAM_BYTES,
        "array_based_stream_maximum_output_length": STREAM_BYTES,
        "stream_decoding_work_maximum_length": 4 * STREAM_BYTES,
        "stream_parsing_work_maximum_count": STREAM_ELEMENTS,
    }
    if hasattr(pypdf, "overwrite_configuration"):
        pypdf.overwrite_configuration(**limits)
    else:
        from pypdf import filters

        filters.ZLIB_MAX_OUTPUT_LENGTH = filters.LZW_MAX_OUTPUT_LENGTH = STREAM_BYTES


def _text(pypdf, raw: bytes, max_pages: int, max_chars: int) -> dict:
    reader = pypdf.PdfReader(io.BytesIO(raw))
    if reader.is_encrypted:
        return {"text": "", "pages": 0, "truncated": False, "encrypted": True}
    parts, total = [], 0
    for page in reader.pages[:max_pages]:
        text = " ".join((page.extract_text() or "").split())
        parts.append(text)
        total += len(text)
        if total >= max_chars:
            break
    text = "\n".join(p for p in parts if p).strip()
    truncated = len(text) > max_chars or len(reader.pages) > max_pages
    pages = len(reader.pages)
    return {"text": text[:max_chars], "pages": pages, "truncated": truncated, "encrypted": False}


def _child(pypdf, raw: bytes, max_pages: int, max_chars: int, out: int) -> None:
    """In the forked child: limits first, then the PDF; never returns."""
    code = 2
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        result = json.dumps(_text(pypdf, raw, max_pages, max_chars)).encode()
        with os.fdopen(out, "wb") as pipe:
            pipe.write(result)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - pypdf's many errors, MemoryError: unreadable
        pass
    os._exit(code)


def _one(pypdf, raw: bytes, max_pages: int, max_chars: int) -> dict:
    """Read one PDF in a forked child; kill it after WALL_SECONDS."""
    inlet, out = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(inlet)
        _child(pypdf, raw, max_pages, max_chars, out)
    os.close(out)
    try:
        data = _read_to_end(inlet, WALL_SECONDS)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        data = None
    finally:
        os.close(inlet)
    _pid, status = os.waitpid(pid, 0)
    if data is None or os.WIFSIGNALED(status):
        return {"failed": "slow"}
    if os.waitstatus_to_exitcode(status) != 0:
        return {"failed": "damaged"}
    return json.loads(data)


def serve() -> None:
    """The reader: pypdf loaded once, then one PDF after another from stdin, until EOF."""
    import pypdf

    os.nice(NICE)
    _configure(pypdf)
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    while True:
        head = sys.stdin.buffer.read(REQUEST.size)
        if len(head) < REQUEST.size:
            return  # the web process is gone
        size, max_pages, max_chars = REQUEST.unpack(head)
        result = json.dumps(_one(pypdf, sys.stdin.buffer.read(size), max_pages, max_chars))
        sys.stdout.buffer.write(REPLY.pack(len(result)) + result.encode())
        sys.stdout.buffer.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--reader"]:
    serve()
