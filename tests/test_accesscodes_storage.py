"""Codes are stored as keyed hashes only; the issue_codes command prints codes and nothing else."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from accesscodes import codeformat
from accesscodes.models import AccessCode, AuditEntry, Site
from tests.support.leaks import cache_contents, forms_of

pytestmark = pytest.mark.django_db

PRINTED = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z]$")


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


@pytest.mark.security
def test_it_keeps_no_plain_code_in_the_database(client, corinne):
    site = Site.objects.create(name="Maison des Dunes")
    issued = [AccessCode.issue(site=site, by=corinne) for _ in range(3)]
    client.post("/signin", {"code": issued[0][1], "remember": "1"})  # a session too
    everything = dump()
    assert AccessCode.objects.count() == 3 and '"accesscodes.accesscode"' in everything
    for code, plain in issued:
        assert code.digest == codeformat.digest(plain)
        assert code.digest in everything
        for form in forms_of(plain):
            assert form not in everything
            assert form[:19] not in everything  # not even most of it


def test_it_keeps_no_plain_code_in_the_cache(client, resident):
    client.post("/signin", {"code": resident.plain, "remember": "1"})
    client.get("/chat/")
    blob = cache_contents()
    for form in forms_of(resident.plain):
        assert form.encode() not in blob


@pytest.mark.security
def test_it_finds_a_code_only_through_its_hash(resident):
    assert AccessCode.find(resident.plain.lower()) == resident
    assert AccessCode.find(codeformat.pretty(codeformat.generate())) is None
    with pytest.raises(codeformat.MistypedCode):
        AccessCode.find("not a code")


def test_it_numbers_codes_and_labels_them_for_staff():
    first, _ = AccessCode.issue()
    second, _ = AccessCode.issue()
    assert second.number == first.number + 1
    assert first.label == f"N° {first.number:04d}"


def test_it_prints_n_codes_one_per_line_and_nothing_else():
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_codes", "--count", "5", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and out.getvalue().strip() == out.getvalue().rstrip("\n")
    assert all(PRINTED.match(line) for line in lines), lines
    assert len(set(lines)) == 5
    for line in lines:
        assert AccessCode.find(line).status == AccessCode.Status.ACTIVE
    assert AuditEntry.objects.filter(action="issued", actor_name="system").count() == 5


def test_it_issues_pre_printed_codes_for_a_site():
    site = Site.objects.create(name="Mairie annexe")
    out = io.StringIO()
    call_command("issue_codes", "--count", "2", "--site", "mairie annexe", stdout=out)
    for line in out.getvalue().splitlines():
        assert AccessCode.find(line).site == site


@pytest.mark.parametrize("args", [["--count", "0"], ["--count", "2", "--site", "Nowhere"]])
def test_it_refuses_bad_arguments_with_nothing_on_stdout(args):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("issue_codes", *args, stdout=out)
    assert out.getvalue() == ""
    assert AccessCode.objects.count() == 0


def test_it_deletes_expired_sessions_every_day(settings):
    """An expired session cannot sign anyone in; the daily task removes its row too."""
    from django.contrib.sessions.models import Session

    from accesscodes.sessions import SessionStore
    from accesscodes.tasks import clear_expired_sessions

    expired, alive = SessionStore(), SessionStore()
    expired.set_expiry(-60)
    expired["resident_code_id"] = 1
    expired.save()
    alive["resident_code_id"] = 2
    alive.save()
    clear_expired_sessions()
    keys = set(Session.objects.values_list("session_key", flat=True))
    assert alive.session_key in keys and expired.session_key not in keys
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accesscodes.clear_expired_sessions" in tasks
