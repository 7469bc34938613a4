"""Private Redis and PostgreSQL servers that a fault test may kill and restart at will.

Each runs on a free port of 127.0.0.1 with its data in a temporary folder, never the
system's servers on 6379 and 5432:

    with PrivateRedis() as redis:           # redis.url, redis.stop(), redis.start()
    with PrivatePostgres() as postgres:     # postgres.url, postgres.restart()
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.sockets import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(check, seconds: float = 15, what: str = "the server") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up in {seconds} s")


def redis_available() -> str | None:
    """None when redis-server can run here, else why not."""
    return None if Path(REDIS_SERVER).exists() else "redis-server is not installed"


def postgres_available() -> str | None:
    """None when a private PostgreSQL can be made here (initdb, pg_ctl, a postgres user)."""
    if PG_BIN is None or not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return "PostgreSQL's initdb and pg_ctl are not installed (/usr/lib/postgresql/*/bin)"
    if not shutil.which("runuser"):
        return "runuser is missing (needed to run PostgreSQL as the postgres user)"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres system user to own a private cluster"
    return None


class PrivateRedis:
    """A throw-away redis-server (no persistence) on a free port, in the foreground."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), what="the private redis-server")

    def stop(self) -> None:
        """Kill it at once (SIGKILL), as a crash or an out-of-memory kill would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb into a temporary folder owned by postgres),
    trusting local connections, on a free port; `url` reaches its `postgres` database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="arcachat-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.data), "-w", "-t", "30", "-o", options),
            *("-l", str(self.folder / "log"), "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (what a restart does); `immediate` is a crash."""
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def __enter__(self) -> PrivatePostgres:
        shutil.chown(self.folder, "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"),
            *("-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"),
        )
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
