"""The ASGI handler's lanes: persistent threads (and connections) for the requests' sync work."""

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from arcachat.handler import LaneASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[1]


def scope(path="/healthz", method="GET"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def call(app, body_arrives=None):
    """One request through the ASGI app; returns the status sent."""
    sent, received = [], []

    async def receive():
        if received:  # the body was read: like a server, wait until the client leaves
            await asyncio.Event().wait()
        if body_arrives is not None:
            await body_arrives.wait()
        received.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope(), receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.fixture
def seen():
    """(signal, thread id, id of the thread's database connection) for each request signal."""
    records = []

    def started(**kwargs):
        records.append(("started", threading.get_ident(), None))

    def finished(**kwargs):
        open_now = connection.connection
        records.append(("finished", threading.get_ident(), open_now and id(open_now)))

    request_started.connect(started, dispatch_uid="test-lanes-started")
    request_finished.connect(finished, dispatch_uid="test-lanes-finished")
    yield records
    request_started.disconnect(dispatch_uid="test-lanes-started")
    request_finished.disconnect(dispatch_uid="test-lanes-finished")


def test_it_serves_requests_on_the_same_persistent_thread_and_connection(seen, settings):
    app = LaneASGIHandler(lanes=1)

    async def three():
        return [await call(app) for _ in range(3)]

    assert asyncio.run(three()) == [200, 200, 200]
    threads = {thread for _name, thread, _conn in seen}
    assert len(threads) == 1 and threading.get_ident() not in threads


KEEPS_CONNECTION = """
import asyncio, os
os.environ["DJANGO_SETTINGS_MODULE"] = "arcachat.settings"
from arcachat.handler import get_lane_application
app = get_lane_application()
from django.core.signals import request_finished
from django.db import connection
from tests.test_handler import call
seen = []
request_finished.connect(lambda **kw: seen.append(connection.connection), weak=False)
async def main():
    return [await call(app) for _ in range(3)]
print(asyncio.run(main()), len({id(c) for c in seen}), any(c is None for c in seen))
"""


@pytest.mark.parametrize(("max_age", "expected"), [("300", "1 False"), ("0", "1 True")])
def test_it_keeps_a_sqlite_file_connection_between_requests(tmp_path, max_age, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), SQLITE_CONN_MAX_AGE=max_age)
    done = subprocess.run(
        [sys.executable, "-c", KEEPS_CONNECTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == f"[200, 200, 200] {expected}", done.stderr[-2000:]


def test_it_gives_a_new_request_the_least_busy_lane(seen):
    app = LaneASGIHandler(lanes=2)

    async def scenario():
        body = asyncio.Event()
        slow = asyncio.create_task(call(app, body_arrives=body))  # waits for its body
        await asyncio.sleep(0.05)
        busy = [lane.in_flight for lane in app.lanes]
        fast = await call(app)
        body.set()
        return busy, fast, await slow, [lane.in_flight for lane in app.lanes]

    busy, fast, slow, after = asyncio.run(scenario())
    assert sorted(busy) == [0, 1] and fast == slow == 200 and after == [0, 0]
    started = [thread for name, thread, _conn in seen if name == "started"]
    assert len(set(started)) == 2  # the second request did not queue behind the first


def test_it_still_refuses_what_is_not_http():
    app = LaneASGIHandler(lanes=1)
    with pytest.raises(ValueError, match="websocket"):
        asyncio.run(app({"type": "websocket"}, None, None))
