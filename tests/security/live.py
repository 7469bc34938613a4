"""The app as a town starts it, for the suite's tests from outside: the shipped uvicorn command.

`shipped_args(source)` reads the uvicorn command line of the Dockerfile, the Makefile's `run`
or docker-compose.yml; `ShippedApp` runs the Dockerfile's (host, port and one worker aside)
on an IsolatedDatabase from tests/liveapp.py, keeping everything the process writes, so a
test sees what a town's logs would hold. `from_address()` gives an HTTP client whose
connections leave from a chosen loopback address (127.0.0.0/8 is all local on Linux), to play
a direct client and the town's proxy against one process.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import httpx2

from tests.support.liveapp import PYTHON, ROOT, IsolatedDatabase, collect_static, wait_healthy
from tests.support.liveclient import CSRF_INPUT
from tests.support.personas import PASSWORD
from tests.support.sockets import free_port

SOURCES = ("Dockerfile", "Makefile", "docker-compose.yml")
STAFF_PASSWORD = PASSWORD  # every persona's


def shipped_args(source: str = "Dockerfile") -> list[str]:
    """The arguments given to uvicorn (after the word `uvicorn`) in that file."""
    text = (ROOT / source).read_text()
    if source == "Dockerfile":
        line = next(x for x in text.splitlines() if x.startswith("CMD "))
        command = json.loads(line[4:])
    else:
        line = next(x for x in text.splitlines() if re.search(r"\buvicorn arcachat", x))
        command = shlex.split(line.split("command:", 1)[-1])
    return command[[i for i, word in enumerate(command) if word.endswith("uvicorn")][0] + 1 :]


def _set(args: list[str], flag: str, value: str) -> list[str]:
    if flag in args:
        args = list(args)
        args[args.index(flag) + 1] = value
        return args
    return [*args, flag, value]


class ShippedApp:
    """One uvicorn process started with the Dockerfile's arguments. `--workers` becomes 1:
    the embedded set-up keeps rate limits in each process's memory (Redis shares them)."""

    def __init__(self, db: IsolatedDatabase, **env: str):
        self.db = db
        self.env = {**db.env, "WARM_UP": "0", **env}
        # Kept open for the process's whole life, closed (and removed) in __exit__.
        self.log = tempfile.NamedTemporaryFile(prefix="arcachat-", suffix=".log")  # noqa: SIM115
        self.url = ""
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ShippedApp:
        collect_static(self.db.manage)
        port = free_port()
        args = _set(_set(shipped_args(), "--host", "127.0.0.1"), "--port", str(port))
        args = _set(args, "--workers", "1")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.process)
        return self

    def output(self) -> str:
        """Everything the process wrote so far (stdout and stderr)."""
        return Path(self.log.name).read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def from_address(base_url: str, address: str = "127.0.0.1", **kwargs) -> httpx2.Client:
    """An HTTP client to `base_url` whose connections leave from `address`."""
    transport = httpx2.HTTPTransport(local_address=address)
    kwargs.setdefault("timeout", 30)
    return httpx2.Client(base_url=base_url, transport=transport, **kwargs)


def csrf_of(page: httpx2.Response) -> str:
    return CSRF_INPUT.search(page.text).group(1)


def try_code(client: httpx2.Client, code: str, **headers) -> httpx2.Response:
    """Post a code to the landing page's sign-in form, as a browser would."""
    token = csrf_of(client.get("/", headers=headers))
    data = {"code": code, "csrfmiddlewaretoken": token}
    return client.post("/signin", data=data, headers=headers)


def try_password(client: httpx2.Client, username: str, password: str, **headers):
    token = csrf_of(client.get("/staff/login/", headers=headers))
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    return client.post("/staff/login/", data=data, headers=headers)


def add_persona(db: IsolatedDatabase, name: str) -> None:
    """One of the named staff (tests/support/personas.py) in the live app's own database."""
    db.shell(f"from tests.support.personas import create_persona; create_persona({name!r})")
