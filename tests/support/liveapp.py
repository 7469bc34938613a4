"""Run the real app: in uvicorn processes on an isolated database, or in a thread on the tests'.

    with IsolatedDatabase(postgres_url=None) as db:          # None: a temporary SQLite file
        db.shell("from accesscodes.models import AccessCode; ...")
        with AppProcesses(db, count=2) as app:                # two processes, one database
            app.urls  -> ["http://127.0.0.1:<port>", ...]

    with ThreadedSite() as url:                               # this process, the test database
        ...

The processes run the production settings (DEBUG off, strong throw-away keys, plain HTTP)
so that what is measured or tested is what a town would run. The threaded site runs the
tests' settings and sees what a test writes (and what it patches in this process).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .sockets import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def production_env(**extra: str) -> dict:
    """Environment of a production-like process on 127.0.0.1 over plain HTTP."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env["CODE_HASH_KEY"] = env["FIELD_ENCRYPTION_KEY"] = secrets.token_urlsafe(60)
    env.update(extra)
    return env


class IsolatedDatabase:
    """A fresh, migrated database of its own: a temporary SQLite file, or a new PostgreSQL
    database created next to `postgres_url` and dropped at the end."""

    def __init__(self, postgres_url: str | None = None, redis_url: str | None = None, **env):
        self.postgres_url = postgres_url
        self.redis_url = redis_url
        self.extra_env = env
        self.name = f"arcachat_live_{secrets.token_hex(4)}"
        self.folder = Path(tempfile.mkdtemp(prefix="arcachat-live-"))
        self.env: dict = {}

    @property
    def vendor(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> IsolatedDatabase:
        extra = {"MEDIA_ROOT": str(self.folder / "media"), **self.extra_env}
        if self.postgres_url:
            self._admin(f'CREATE DATABASE "{self.name}"')
            parts = urlsplit(self.postgres_url)
            extra["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            extra["SQLITE_PATH"] = str(self.folder / "db.sqlite3")
        if self.redis_url:
            extra["REDIS_URL"] = self.redis_url
        self.env = production_env(**extra)
        self.manage("migrate", "--noinput", "-v", "0")
        return self

    def __exit__(self, *exc) -> None:
        if self.postgres_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        if self.redis_url:
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        shutil.rmtree(self.folder, ignore_errors=True)

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python code with Django set up on this database; returns what it printed."""
        return self.manage("shell", "-c", code)


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until the process on `url` answers /healthz (or fail if it exits or takes too long)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app process on {url} exited ({process.returncode})")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the app on {url} did not become healthy in {seconds} s")


class UvicornProcesses:
    """`count` uvicorn processes serving the ASGI `app` ("module:attribute") from `cwd`."""

    def __init__(self, app: str, env: dict, count: int = 1, cwd: Path = ROOT):
        self.app = app
        self.env = env
        self.count = count
        self.cwd = cwd
        self.processes: list[subprocess.Popen] = []
        self.urls: list[str] = []

    def __enter__(self):
        for _ in range(self.count):
            port = free_port()
            command = [PYTHON, "-m", "uvicorn", self.app, "--host", "127.0.0.1"]
            command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
            command += ["--backlog", "2048"]
            self.processes.append(subprocess.Popen(command, cwd=self.cwd, env=self.env))
            self.urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(self.urls, self.processes, strict=True):
            wait_healthy(url, process)
        return self

    def kill(self, index: int) -> None:
        """Kill one process at once (SIGKILL), as a crash would."""
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(10)

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def collect_static(manage) -> None:
    """Build the production static files (hashed names and their manifest) with `manage`
    (runs a management command) when a file in static/ is newer than the manifest: a stale
    copy would answer 500 for a new file."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        manage("collectstatic", "--noinput", "-v", "0")


class AppProcesses(UvicornProcesses):
    """`count` uvicorn processes serving the ASGI app on the same database."""

    def __init__(self, db: IsolatedDatabase, count: int = 1, **env: str):
        super().__init__("arcachat.asgi:application", {**db.env, **env}, count)
        self.db = db

    def __enter__(self) -> AppProcesses:
        collect_static(self.db.manage)
        return super().__enter__()


class ThreadedSite:
    """The ASGI app under uvicorn in a thread of this process, on the test database: answers
    stream as in production, and what a test patches here (a database outage) reaches it."""

    def __enter__(self) -> str:
        import uvicorn

        from arcachat.asgi import application

        port = free_port()
        config = uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
