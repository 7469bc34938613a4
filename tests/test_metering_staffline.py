"""The STAFF line of metering: reply drafts held and charged on the town's budget only, never
on a code; released when stale; shown apart on the spend page and in the CSV."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accesscodes.models import AccessCode
from metering.admission import release_stale
from metering.meter import Metering
from metering.models import Ledger, QuotaSettings, Reservation, UsageRecord
from metering.spend import month_figures
from metering.staffline import StaffMetering
from providers.base import Usage
from providers.models import Price, ProviderConfig
from providers.offline import OfflineProvider
from providers.registry import build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def margin(settings):
    """The figures below are worked out with an input margin of 1.25 (before any vendor
    count: metering.calibration)."""
    settings.METER_INPUT_MARGIN = 1.25


@pytest.fixture
def quotas():
    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("10.00")
    q.save()
    return q


@pytest.fixture
def paid():
    """2 EUR per million input tokens, 10 EUR per million output."""
    config = ProviderConfig.objects.create(
        name="Mistral", kind="mistral", model="mistral-small", order=1, api_key_env="NOPE_KEY"
    )
    Price.objects.create(
        provider=config,
        effective_from=timezone.now() - dt.timedelta(days=30),
        eur_per_million_input=Decimal(2),
        eur_per_million_output=Decimal(10),
    )
    return build(config)


def reserve(metering, provider) -> bool:
    return metering.reserve(estimated_input_tokens=1000, max_output_tokens=800, chain=[provider])


def town() -> Ledger:
    return Ledger.objects.get(key__startswith="town:")


def test_it_holds_a_draft_on_the_town_ledger_only(quotas, paid):
    metering = StaffMetering()
    offline_only = reserve(metering, paid)
    assert offline_only is False
    reservation = Reservation.objects.get()
    assert reservation.code is None and reservation.ledger_keys == town().key
    # 1,000 x 1.25 input tokens at 2 EUR and 800 output at 10 EUR per million: 10,500 micro-EUR.
    assert town().reserved_micros == reservation.micros == 10_500
    assert Ledger.objects.count() == 1


def test_it_charges_the_town_and_records_a_staff_line(quotas, paid):
    metering = StaffMetering()
    metering.reserve(estimated_input_tokens=1000, max_output_tokens=800, chain=[paid])
    metering.settle(Usage(900, 100), outcome="ok", provider=paid, latency_ms=1200)
    ledger = town()
    assert (ledger.used_micros, ledger.reserved_micros) == (900 * 2 + 100 * 10, 0)
    assert ledger.used_tokens == 1000
    record = UsageRecord.objects.get()
    assert (record.line, record.code, record.outcome) == ("staff", None, "ok")
    assert record.cost_micros == 2800 and record.latency_ms == 1200
    assert not Reservation.objects.exists()


def test_it_lets_only_the_free_extracts_write_once_the_budget_is_spent(quotas, paid):
    Ledger.objects.create(key=f"town:{timezone.localtime():%Y-%m}", period="x", used_micros=10**7)
    metering = StaffMetering()
    offline_only = reserve(metering, paid)
    assert offline_only is True
    assert Reservation.objects.get().micros == 0
    metering.settle(Usage(500, 50), outcome="ok", provider=OfflineProvider(), latency_ms=5)
    assert town().used_micros == 10**7 and town().used_tokens == 0


def test_it_charges_a_draft_reservation_left_by_a_crashed_process_as_lost(quotas, paid):
    metering = StaffMetering()
    metering.reserve(estimated_input_tokens=1000, max_output_tokens=800, chain=[paid])
    later = timezone.now() + dt.timedelta(minutes=11)
    assert release_stale(later) == 1
    assert (town().reserved_micros, town().used_micros) == (0, 10_500)  # all it held
    lost = UsageRecord.objects.get()
    assert (lost.line, lost.code, lost.outcome, lost.estimated) == ("staff", None, "lost", True)


def test_it_never_shrinks_a_drafts_output_limit(quotas, paid):
    month = f"{timezone.localtime():%Y-%m}"
    # 5,000 micro-EUR left: 1,250 x 2 + 800 x 10 = 10,500 does not fit; a shorter draft would
    Ledger.objects.create(key=f"town:{month}", period=month, used_micros=10**7 - 5_000)
    assert reserve(StaffMetering(), paid) is True  # only the free extracts


def resident_question(code, paid, tokens=(1000, 100)):
    metering = Metering(code)
    metering.reserve(estimated_input_tokens=1000, max_output_tokens=800, chain=[paid])
    metering.settle(Usage(*tokens), outcome="ok", provider=paid, latency_ms=10)


def staff_draft(paid, tokens=(900, 100)):
    metering = StaffMetering()
    metering.reserve(estimated_input_tokens=1000, max_output_tokens=800, chain=[paid])
    metering.settle(Usage(*tokens), outcome="ok", provider=paid, latency_ms=10)


def test_it_shows_drafts_apart_from_residents_questions(quotas, paid, adele):
    code = AccessCode.issue()[0]
    resident_question(code, paid)  # 1000 x 2 + 100 x 10 = 3000 micro-EUR
    staff_draft(paid)  # 900 x 2 + 100 x 10 = 2800 micro-EUR
    staff_draft(paid)
    figures = month_figures()
    assert figures.questions == 1 and figures.active_codes == 1
    assert figures.spent_eur == Decimal("0.0086")  # the town pays both lines
    assert (figures.staff_drafts, figures.staff_eur) == (2, Decimal("0.0056"))
    assert figures.average_eur == Decimal("0.0030")  # per resident question, drafts aside
    client = Client()
    client.force_login(adele)
    page = client.get("/spend/").content.decode()
    staff = page.split('id="staff-line"')[1].split("</div>")[0]
    assert "Brouillons de réponse des agents" in staff and "2 brouillons" in staff
    rows = client.get("/spend/export.csv").content.decode("utf-8-sig").splitlines()
    assert rows[0].endswith(";usage (resident : un habitant, staff : un brouillon pour un agent)")
    assert sorted(row.rsplit(";", 1)[1] for row in rows[1:]) == ["resident", "staff", "staff"]
