"""Brute force from outside (issue 13, items 3 and 4): the shipped uvicorn command, real HTTP.

Item 3: the lockout's client is the TCP peer, or what a trusted proxy (TRUSTED_PROXIES) wrote
in X-Forwarded-For; a client rotating that header itself, straight to the app port (with
BEHIND_PROXY=1 too), stays one client. Item 4: a client pacing its wrong tries under
SIGNIN_RATE is still locked out once it reaches SIGNIN_DAILY_LIMIT in the day.
"""

import time

import pytest

from accesscodes import codeformat
from tests.support.liveapp import IsolatedDatabase

from .live import STAFF_PASSWORD, ShippedApp, add_persona, from_address, try_code, try_password

pytestmark = pytest.mark.security
PROXY = "127.0.0.2"  # the town's proxy, as the app is told (TRUSTED_PROXIES)
DIRECT = "127.0.0.1"  # anyone reaching the app port directly


def wrong_code() -> str:
    return codeformat.pretty(codeformat.generate())


@pytest.fixture(scope="module")
def live_db():
    with IsolatedDatabase() as db:
        add_persona(db, "adele")
        db.resident_code = db.shell(
            "from accesscodes.models import AccessCode; print(AccessCode.issue()[1])"
        ).split()[-1]
        yield db


@pytest.fixture(scope="module")
def behind_proxy(live_db):
    with ShippedApp(live_db, BEHIND_PROXY="1", TRUSTED_PROXIES=PROXY) as app:
        yield app


def rotating(n: int) -> dict:
    """Headers a client may write to pass for someone new each time."""
    forged = f"198.51.{n // 250}.{n % 250 + 1}"
    return {"X-Forwarded-For": forged, "X-Real-IP": forged, "Forwarded": f"for={forged}"}


def test_it_keeps_a_direct_client_rotating_x_forwarded_for_locked_out(behind_proxy):
    statuses = []
    with from_address(behind_proxy.url, DIRECT) as client:
        for n in range(12):
            statuses.append(try_code(client, wrong_code(), **rotating(n)).status_code)
        right = try_code(client, behind_proxy.db.resident_code, **rotating(99))
    assert statuses[:9] == [400] * 9 and statuses[9:] == [429] * 3  # SIGNIN_RATE: 10/15m
    assert right.status_code == 429


def test_it_keeps_a_direct_client_rotating_x_forwarded_for_out_of_staff_passwords(behind_proxy):
    with from_address(behind_proxy.url, DIRECT) as client:
        statuses = [
            try_password(client, "adele", f"guess {n}", **rotating(n)).status_code
            for n in range(12)
        ]
        right = try_password(client, "adele", STAFF_PASSWORD, **rotating(99))
    assert statuses[:9] == [200] * 9 and statuses[9:] == [429] * 3
    assert right.status_code == 429


def test_it_counts_the_address_the_trusted_proxy_wrote(behind_proxy):
    """Behind the proxy, each resident is counted apart; what a client wrote to the left of
    the proxy's own entry changes nothing."""
    with from_address(behind_proxy.url, PROXY) as proxy:
        appended = [
            try_code(proxy, wrong_code(), **{"X-Forwarded-For": f"{n}.0.0.1, 203.0.113.5"})
            for n in range(1, 12)
        ]
        other_resident = try_code(
            proxy, behind_proxy.db.resident_code, **{"X-Forwarded-For": "203.0.113.6"}
        )
    assert [r.status_code for r in appended] == [400] * 9 + [429] * 2
    assert other_resident.status_code == 302


@pytest.fixture(scope="module")
def paced(live_db):
    env = {"SIGNIN_RATE": "5/1s", "SIGNIN_DAILY_LIMIT": "12"}
    with ShippedApp(live_db, **env) as app:
        yield app


def paced_tries(attempt, count: int, every: float = 0.4) -> list[int]:
    """`count` tries, one every `every` seconds: at most 3 in any 1-second window, under the
    5/1s rate, however slow the machine (each waits for the previous answer)."""
    statuses = []
    for n in range(count):
        started = time.monotonic()
        statuses.append(attempt(n).status_code)
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    return statuses


def test_it_locks_out_a_client_pacing_wrong_codes_under_the_rate(paced):
    with from_address(paced.url, DIRECT) as client:
        statuses = paced_tries(lambda n: try_code(client, wrong_code()), 14)
        right = try_code(client, paced.db.resident_code)
    assert statuses == [400] * 11 + [429] * 3  # the 12th wrong code of the day locks
    assert right.status_code == 429 and "1440 minutes" in right.text


def test_it_locks_out_a_client_pacing_staff_passwords_under_the_rate(paced):
    with from_address(paced.url, "127.0.0.3") as client:
        statuses = paced_tries(lambda n: try_password(client, "adele", f"guess {n}"), 14)
        right = try_password(client, "adele", STAFF_PASSWORD)
    assert statuses == [200] * 11 + [429] * 3
    assert right.status_code == 429
