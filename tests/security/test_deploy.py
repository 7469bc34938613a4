"""Production settings: `check --deploy` clean, and real responses with HTTPS-only cookies, HSTS
and the strict CSP, from a process started with nothing but the production environment.

Each test starts `manage.py` or a short script in a subprocess with DEBUG=0, a strong
SECRET_KEY and ALLOWED_HOSTS=chat.example.fr, on a SQLite file of its own (never the
PostgreSQL or Redis of the CI's second pass).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.liveapp import collect_static

pytestmark = pytest.mark.security
ROOT = Path(__file__).resolve().parents[2]
HOST = "chat.example.fr"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "q8Wm3-Zr5_TkLp2Vx9Nc4Bh7Jd1Fs6Gy0Ra3Ue8Io5Pw2Ml7Kn4Xt9Cb1Ev6Hz",
    "ALLOWED_HOSTS": HOST,
}
LEFT_OUT = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_EAGER", "DEBUG"}

SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accesscodes.models import AccessCode

call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="chat.example.fr")
def cookie(morsel):
    return {k: morsel[k] for k in ("secure", "httponly", "samesite")}
plain = client.get("/")
page = client.get("/", secure=True)
code, typed = AccessCode.issue()
signin = client.post("/signin", {"code": typed, "remember": "1"}, secure=True)
missing = client.get("/no-such-page/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "headers": dict(page.headers),
    "csrf_cookie": cookie(page.cookies["csrftoken"]),
    "signin": [signin.status_code, signin.get("Location")],
    "session_cookie": cookie(signin.cookies["arcachat_session"]),
    "missing": [missing.status_code, "Traceback" in missing.content.decode()
                or "urlpatterns" in missing.content.decode()],
    "other_host": Client(HTTP_HOST="evil.example").get("/", secure=True).status_code,
    "debug": settings.DEBUG,
}))
"""


def production(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LEFT_OUT}
    env.update(PRODUCTION, SQLITE_PATH=str(tmp_path / "prod.sqlite3"), MEDIA_ROOT=str(tmp_path))
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_it_passes_the_deploy_check_with_only_the_production_basics(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_check_when_cookies_may_travel_in_clear(tmp_path):
    """The control: the check does look at cookies (SECURE_COOKIES=0 is reported)."""
    env = {**production(tmp_path), "SECURE_COOKIES": "0"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr  # SESSION_COOKIE_SECURE


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """What a production process answers: headers, cookies, refusals."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = {**production(tmp_path), "DJANGO_SETTINGS_MODULE": "arcachat.settings"}
    collect_static(lambda *command: run(["manage.py", *command], env))  # the pages' static files
    result = run(["-c", SCRIPT], env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_sends_plain_http_to_https(served):
    assert served["plain"] == [301, f"https://{HOST}/"]
    assert served["debug"] is False


@pytest.mark.parametrize("name", ["csrf_cookie", "session_cookie"])
def test_it_sets_cookies_for_https_only_out_of_scripts_reach(served, name):
    assert served[name] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_it_signs_a_resident_in_over_https(served):
    assert served["signin"] == [302, "/chat/"]


def test_it_sends_hsts_and_the_strict_headers(served):
    headers = served["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # the sign-in page may use the camera itself (the slip's QR code), nothing else may
    assert headers["Permissions-Policy"] == (
        "camera=(self), microphone=(), geolocation=(), payment=()"
    )


def test_it_sends_a_csp_that_allows_no_inline_or_foreign_code(served):
    policy = dict(
        part.strip().split(" ", 1)
        for part in served["headers"]["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert not any("unsafe" in value or "*" in value for value in policy.values())


def test_it_tells_nothing_about_its_code_on_errors_or_to_unknown_hosts(served):
    assert served["missing"] == [404, False]
    assert served["other_host"] == 400
