"""Addresses on 127.0.0.1 for servers under test: a free port, a refused one, a hanging one,
and a little server of a test's own, served from a thread."""

import socket
import threading
import time
from contextlib import contextmanager


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; a server may take it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_url() -> str:
    """http://127.0.0.1:<port> where nothing listens: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def never_accepts():
    """Yield http://127.0.0.1:<port> of a socket whose accept queue is full and never
    drained: new connections hang in the handshake until the client's connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@contextmanager
def serving(server):
    """Run a socketserver (bound to 127.0.0.1:0, say) from a daemon thread for the block;
    yield it, then shut it down."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
