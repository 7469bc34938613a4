"""Metering promises checked from outside: real app processes, real HTTP, a fake vendor.

- A process killed mid-answer (kill -9): what the dead process had reserved is charged once
  it expires ("lost", estimated), so the town's recorded spend covers what the vendor billed.
- 100 questions at once on one code through two processes: 0 tokens over the allowance,
  the output limit shrunk to fit when little is left, and refusals only once what is left
  cannot hold the question's input plus the shortest answer; with a vendor counting 70 %
  more than our estimate, no overshoot either, and none once it is calibrated.
- The embedded default (one process, no beat): a code's sharing flag shows on /spend/ as
  soon as the answer that crossed the threshold is settled.
Vendor answers here use their whole output limit (the worst case for overshoot).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time

import pytest

from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase
from tests.support.liveclient import Resident, live_sign_in, run_async, sign_in

pytestmark = [pytest.mark.faults]

QUESTION = "Quand a lieu le marché ?"
TEXT = "Le marché a lieu le samedi matin, place du Port, de 8 h à 13 h. " * 4
FULL = 10**6  # what the fake vendor would write: always capped at the output limit asked
MAX_OUTPUT, MIN_OUTPUT, WAIT = 800, 200, 30
LIVE_ENV = {
    "CHAT_RATE": "100000/m",
    "CELERY_EAGER": "1",
    "ANSWER_MAX_TOKENS": str(MAX_OUTPUT),
    "METER_MIN_OUTPUT_TOKENS": str(MIN_OUTPUT),
    "METER_WAIT_SECONDS": str(WAIT),
}

PROVIDER = """
from decimal import Decimal
from django.utils import timezone
from metering.models import QuotaSettings
from providers.models import Price, ProviderConfig
q = QuotaSettings.current()
q.monthly_budget_eur = Decimal("1000")
q.save()
ProviderConfig.objects.update(enabled=False)
p = ProviderConfig.objects.create(
    name="{name}", kind="openai_compatible", model="{name}", base_url="{url}", timeout=20, order=1
)
Price.objects.create(
    provider=p, effective_from=timezone.now() - timezone.timedelta(days=1),
    eur_per_million_input=Decimal(1), eur_per_million_output=Decimal(2),
)
"""

CODE = """
from accesscodes.models import AccessCode
code, plain = AccessCode.issue()
code.monthly_tokens = {allowance}
code.save()
print(code.pk, plain)
"""

ESTIMATE = """
from django.utils import timezone
from knowledge.prompt import assemble
print(assemble("{question}", [], timezone.localdate(), language="fr").input_tokens_estimate())
"""

BOOKS = """
import json
from django.db.models import Count, Sum
from metering.models import InputRatio, Ledger, Reservation, UsageRecord
records = UsageRecord.objects.filter(code_id={code}) if {code} else UsageRecord.objects.all()
ledger = Ledger.objects.filter(key__startswith="code:{code}:", period__regex=r"^....-..$")
town = Ledger.objects.filter(key__startswith="town:").first()
print(json.dumps({{
    "outcomes": dict(records.values_list("outcome").annotate(n=Count("id"))),
    "estimated": records.filter(estimated=True).count(),
    "tokens": records.aggregate(t=Sum("input_tokens"))["t"] or 0,
    "output": records.aggregate(t=Sum("output_tokens"))["t"] or 0,
    "micros": records.aggregate(m=Sum("cost_micros"))["m"] or 0,
    "used": ledger.first().used_tokens if {code} and ledger.exists() else 0,
    "reserved": sum(l.reserved_tokens for l in Ledger.objects.all()),
    "town_used": [town.used_tokens, town.used_micros] if town else [0, 0],
    "reservations": Reservation.objects.count(),
    "ratios": InputRatio.objects.count(),
}}))
"""


def shell_json(db, code: str) -> dict:
    return json.loads(db.shell(code).strip().splitlines()[-1])


def books(db, code_id: int = 0) -> dict:
    found = shell_json(db, BOOKS.format(code=code_id))
    found["tokens"] += found.pop("output")
    return found


def new_code(db, allowance: int) -> tuple[int, str]:
    pk, plain = db.shell(CODE.format(allowance=allowance)).split()[-2:]
    return int(pk), plain


async def ask_at_once(urls: list[str], session: dict, count: int):
    """The answers (or the error that cut one: a process killed) of `count` questions."""
    residents = [Resident(urls[n % len(urls)], session) for n in range(count)]
    try:
        return await asyncio.gather(*(r.ask(QUESTION) for r in residents), return_exceptions=True)
    finally:
        for resident in residents:
            await resident.close()


def database(backend: str) -> IsolatedDatabase:
    if backend == "sqlite":
        return IsolatedDatabase(**LIVE_ENV)
    from django.conf import settings

    redis_url = settings.REDIS_URL.rsplit("/", 1)[0] + "/12" if settings.REDIS_URL else None
    return IsolatedDatabase(os.environ["DATABASE_URL"], redis_url, **LIVE_ENV)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# --- A process killed mid-answer ----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_it_charges_what_a_killed_process_had_reserved_so_the_spend_covers_the_vendor(backend):
    script = Script(text=TEXT, chunk_chars=16, delay=0.1, input_tokens=300, output_tokens=700)
    with FakeServer("openai", script) as vendor, database(backend) as db:
        db.shell(PROVIDER.format(name="vendor", url=vendor.base_url))
        _pk, plain = new_code(db, 10**7)
        with AppProcesses(db, count=2) as app:
            session = sign_in(app.urls[0], plain)

            async def kill_one_mid_answer():
                asking = asyncio.create_task(ask_at_once(app.urls, session, 40))
                while len(vendor.requests) < 30:  # most answers are streaming
                    await asyncio.sleep(0.02)
                app.kill(0)
                return await asking

            answers = run_async(kill_one_mid_answer())
            served = len(vendor.requests)  # every question the vendor took (and may bill)
        before = books(db)
        charged = db.shell(
            "from django.utils import timezone\n"
            "from metering.admission import release_stale\n"
            "print(release_stale(timezone.now() + timezone.timedelta(minutes=11)))"
        ).split()[-1]
        after = books(db)

    completed = sum(1 for a in answers if not isinstance(a, Exception) and a.completed)
    assert 0 < completed < 40 and before["reservations"] > 0  # the dead process held some
    assert int(charged) == before["reservations"]
    outcomes = after["outcomes"]
    assert set(outcomes) <= {"ok", "partial", "lost"} and outcomes["lost"] == int(charged)
    assert after["estimated"] >= outcomes["lost"]  # a lost charge is an estimate
    # Every question the vendor served is on the books, at least at what the vendor billed.
    assert sum(outcomes.values()) >= served
    billed_tokens, billed_micros = served * (300 + 700), served * (300 + 2 * 700)
    assert after["town_used"][0] >= billed_tokens and after["town_used"][1] >= billed_micros
    assert after["micros"] == after["town_used"][1]  # the records say what the ledger charged
    assert after["reservations"] == after["reserved"] == 0


# --- 100 questions at once on one code ------------------------------------------------------


class Burst:
    """The outcome of 100 simultaneous questions on a fresh code with `allowance` tokens."""

    def __init__(self, db, app, allowance: int):
        pk, plain = new_code(db, allowance)
        session = sign_in(app.urls[0], plain)
        self.allowance = allowance
        self.answers = run_async(ask_at_once(app.urls, session, 100))
        self.books = books(db, pk)
        self.answered = [a for a in self.answers if a.completed]
        self.refused = [a for a in self.answers if a.status != 200]

    @property
    def over(self) -> int:
        return self.books["tokens"] - self.allowance

    @property
    def unused(self) -> int:
        return self.allowance - self.books["tokens"]

    def assert_refused_for_good(self) -> None:
        assert {a.status for a in self.refused} == {403}
        assert {a.body["error"] for a in self.refused} == {"allowance"}
        # None was refused for having waited too long: each was refused once what was left,
        # with nothing under way, could not hold its input and the shortest answer.
        assert max(a.total_s for a in self.refused) < WAIT
        assert len(self.answered) + len(self.refused) == 100


@pytest.mark.parametrize("backend", BACKENDS)
def test_it_admits_until_nothing_fits_and_never_overshoots_even_a_vendor_counting_more(backend):
    fair = Script(text=TEXT, chunk_chars=16, delay=0.01, input_tokens=0, output_tokens=FULL)
    more = Script(text=TEXT, chunk_chars=16, delay=0.01, input_tokens=0, output_tokens=FULL)
    with (
        FakeServer("openai", fair) as vendor,
        FakeServer("openai", more) as counts_more,
        database(backend) as db,
    ):
        estimate = int(db.shell(ESTIMATE.format(question=QUESTION)).split()[-1])
        fair.input_tokens = math.ceil(estimate * 0.8)  # a vendor counting less than us
        more.input_tokens = math.ceil(estimate * 1.7)  # a vendor counting 70 % more than us
        db.shell(PROVIDER.format(name="fair", url=vendor.base_url))
        with AppProcesses(db, count=2) as app:
            fair_burst = Burst(db, app, 30 * (fair.input_tokens + MAX_OUTPUT))
            db.shell(PROVIDER.format(name="more", url=counts_more.base_url))
            fresh = Burst(db, app, 30 * (more.input_tokens + MAX_OUTPUT))
            calibrated = Burst(db, app, 30 * (more.input_tokens + MAX_OUTPUT))
        ratios = books(db)["ratios"]

    # Target 1: 0 tokens over; refusals only when nothing fits, leaving less than one short
    # answer (its input and the shortest output) unused.
    assert fair_burst.over <= 0 and fair_burst.unused < fair.input_tokens + MIN_OUTPUT
    assert len(fair_burst.answered) >= 30  # the output limit was shrunk, not refused
    fair_burst.assert_refused_for_good()
    # Target 2: a vendor counting 70 % more, before any of its counts (the reservation holds
    # our estimate x METER_INPUT_MARGIN, 2): at most one answer's excess over (here none).
    excess = max(0, more.input_tokens - math.ceil(estimate * 2.0))
    assert fresh.over <= excess and fresh.unused < more.input_tokens + MIN_OUTPUT
    fresh.assert_refused_for_good()
    # ... and none once its calibration has seen 20 answers.
    assert len(fresh.answered) >= 20 and calibrated.over <= 0
    assert calibrated.unused < more.input_tokens + MIN_OUTPUT
    calibrated.assert_refused_for_good()
    assert ratios >= 20
    for burst in (fair_burst, fresh, calibrated):
        assert burst.books["reservations"] == burst.books["reserved"] == 0
        assert burst.books["tokens"] == burst.books["used"]  # records = ledger


# --- Sharing flags in the embedded default -------------------------------------------------

ADMIN = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("adele", password="{password}")
user.groups.add(Group.objects.get_or_create(name="admins")[0])
"""


def admin_page(base_url: str, password: str, path: str) -> str:
    import httpx2

    from tests.support.liveclient import CSRF_INPUT

    with httpx2.Client(base_url=base_url, timeout=30) as client:
        form = client.get("/staff/login/")
        token = CSRF_INPUT.search(form.text).group(1)
        data = {"username": "adele", "password": password, "csrfmiddlewaretoken": token}
        assert client.post("/staff/login/", data=data).status_code == 302
        return client.get(path).text


def test_it_shows_a_sharing_flag_on_the_spend_page_at_once_in_the_embedded_default():
    password = "a-long-and-unusual-password-for-adele"
    embedded = {"SHARING_MAX_REQUESTS_PER_HOUR": "5", "CHAT_RATE": "100/m"}  # no beat, no Redis
    with FakeServer("openai", Script()) as vendor, IsolatedDatabase(**embedded) as db:
        db.shell(PROVIDER.format(name="vendor", url=vendor.base_url))
        db.shell(ADMIN.format(password=password))
        _pk, plain = new_code(db, 10**6)
        with AppProcesses(db, count=1) as app:
            session = live_sign_in(app.urls[0], plain)[1]

            async def five_questions():
                resident = Resident(app.urls[0], session)
                try:
                    return [await resident.ask(QUESTION) for _ in range(5)]
                finally:
                    await resident.close()

            before = admin_page(app.urls[0], password, "/spend/")
            answers = run_async(five_questions())
            settled = time.monotonic()
            page = admin_page(app.urls[0], password, "/spend/")
            seen_after = time.monotonic() - settled

    assert all(a.completed for a in answers)
    assert "5 questions en une heure" not in before
    assert "5 questions en une heure" in page and seen_after < 60
