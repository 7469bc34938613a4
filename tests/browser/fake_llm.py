"""A scripted OpenAI-compatible chat server on 127.0.0.1 for tests: SSE, delays, cuts."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    """What the next answers say: chunks, a pause before each, and where to cut the stream."""

    def __init__(self):
        self.chunks = ["Bonjour."]
        self.delay = 0.0
        self.cut_after = None  # cut the connection after this many chunks
        self.fail_status = None  # refuse before streaming (e.g. 500)
        self.requests = 0
        self.bodies = []  # the decoded request bodies, to check what the server was sent


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script: Script

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        script = self.script
        script.requests += 1
        script.bodies.append(body)
        if script.fail_status:
            payload = json.dumps({"error": {"message": "scripted failure"}}).encode()
            self.send_response(script.fail_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, text in enumerate(script.chunks):
            if script.cut_after is not None and index >= script.cut_after:
                self.close_connection = True
                self.wfile.flush()
                return  # no terminating chunk: the client sees a broken stream
            time.sleep(script.delay)
            self._event({"choices": [{"index": 0, "delta": {"content": text}}]})
        usage = {"prompt_tokens": 120, "completion_tokens": len(script.chunks), "total_tokens": 0}
        self._event({"choices": [], "usage": usage})
        self._write(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _event(self, chunk):
        chunk = {
            "id": "fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "fake",
        } | chunk
        self._write(f"data: {json.dumps(chunk)}\n\n".encode())

    def _write(self, data: bytes):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class FakeLLM:
    """Start with `FakeLLM()`; `.base_url` ends in /v1; `.script` drives the answers."""

    def __init__(self):
        self.script = Script()
        handler = type("ScriptedHandler", (Handler,), {"script": self.script})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
