"""Metering: reservations that never overshoot, settlement, stale releases, quotas and costs."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accesscodes.models import AccessCode
from metering import alerts
from metering.admission import AdmissionRefused, release_stale, reserve, settle
from metering.allowance import usage_summary
from metering.ledgers import Batch
from metering.meter import Metering
from metering.models import BudgetAlert, Ledger, QuotaSettings, Reservation, UsageRecord
from metering.worstcase import Question, WorstCase
from providers.base import Usage
from providers.models import Price, ProviderConfig
from providers.registry import build

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))


@pytest.fixture(autouse=True)
def margin(settings):
    """The figures below are worked out by hand with an input margin of 1.25 (before any
    vendor count; metering.calibration) and no shrinking below 200 output tokens."""
    settings.METER_INPUT_MARGIN = 1.25
    settings.METER_MIN_OUTPUT_TOKENS = 200


@pytest.fixture
def quotas():
    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("10.00")
    q.code_monthly_tokens = 10_000
    q.code_daily_tokens = None
    q.save()
    return q


@pytest.fixture
def code(quotas):
    return AccessCode.issue()[0]


@pytest.fixture
def paid():
    """A paid provider: 2 € per million input tokens, 10 € per million output, 1 € cached."""
    config = ProviderConfig.objects.create(
        name="Mistral", kind="mistral", model="mistral-small", order=1, api_key_env="NOPE_KEY"
    )
    Price.objects.create(
        provider=config,
        effective_from=NOW - dt.timedelta(days=30),
        eur_per_million_input=Decimal(2),
        eur_per_million_output=Decimal(10),
        eur_per_million_cached_input=Decimal(1),
    )
    return build(config)


def ledger(key):
    return Ledger.objects.get(key=key)


fixed = WorstCase.fixed


def worst_case(estimate, max_output, chain):
    """The worst case of a question with no calibration yet: (tokens, micros, extra micros)
    with the full output."""
    question = Question(estimate, max_output, chain, NOW)
    with Batch() as batch:  # the calibration and the prices are read as admission does
        question.queue(batch)
        worst = question.worst()
    full = worst.max_output
    return worst.tokens(full), worst.micros(full), worst.town_micros(full) - worst.micros(full)


def test_it_holds_the_worst_case_on_the_town_and_code_ledgers(code):
    held = reserve(code, fixed(1_000, 5_000), NOW)
    assert held.expires_at > NOW
    for key in ("town:2026-11", f"code:{code.pk}:2026-11"):
        row = ledger(key)
        assert (row.reserved_tokens, row.reserved_micros) == (1_000, 5_000)
        assert (row.used_tokens, row.used_micros) == (0, 0)


def test_it_refuses_what_does_not_fit_the_code_allowance_and_holds_nothing(code):
    reserve(code, fixed(6_000, 0), NOW)
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, fixed(4_001, 0), NOW)
    assert refused.value.reason == "allowance"
    assert "crédit de ce mois" in refused.value.user_message  # French by default
    assert ledger(f"code:{code.pk}:2026-11").reserved_tokens == 6_000
    assert ledger("town:2026-11").reserved_tokens == 6_000  # rolled back, not 10,001
    reserve(code, fixed(4_000, 0), NOW)  # exactly what is left fits


def test_it_refuses_when_the_town_budget_is_spent(code, quotas):
    other = AccessCode.issue()[0]
    reserve(other, fixed(0, 9_000_000), NOW)  # 9 € of 10 € held by another resident
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, fixed(10, 1_000_001), NOW)
    assert refused.value.reason == "budget"
    assert not Ledger.objects.filter(key=f"code:{code.pk}:2026-11", reserved_tokens__gt=0)


def test_it_applies_the_daily_cap_and_a_per_code_override(code, quotas):
    quotas.code_daily_tokens = 500
    quotas.save()
    reserve(code, fixed(500, 0), NOW)
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, fixed(1, 0), NOW)
    assert refused.value.reason == "daily"
    reserve(code, fixed(500, 0), NOW + dt.timedelta(days=1))  # a new day
    code.monthly_tokens = 1_200
    code.save()
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, fixed(201, 0), NOW + dt.timedelta(days=2))
    assert refused.value.reason == "allowance"


def test_it_settles_the_real_usage_and_releases_the_rest(code):
    held = reserve(code, fixed(1_000, 5_000), NOW)
    settle(held, 300, 1_200)
    row = ledger(f"code:{code.pk}:2026-11")
    assert (row.used_tokens, row.used_micros, row.reserved_tokens, row.reserved_micros) == (
        300,
        1_200,
        0,
        0,
    )
    assert not Reservation.objects.exists()


def test_it_charges_a_stale_reservation_as_lost_once_and_ignores_a_late_settlement(code):
    held = reserve(code, WorstCase(700, 300, 300, Decimal(700), Decimal(10)), NOW)
    held.refresh_from_db()
    assert (held.tokens, held.output_tokens, held.micros) == (1_000, 300, 3_700)
    assert release_stale(NOW) == 0  # not expired yet
    later = NOW + dt.timedelta(minutes=11)
    assert release_stale(later) == 1
    assert release_stale(later) == 0
    # The process died mid-answer: the vendor may have billed it all, the worst case is charged.
    for key in (f"code:{code.pk}:2026-11", "town:2026-11"):
        row = ledger(key)
        assert (row.used_tokens, row.used_micros, row.reserved_tokens, row.reserved_micros) == (
            1_000,
            3_700,
            0,
            0,
        )
    lost = UsageRecord.objects.get()
    assert (lost.outcome, lost.estimated, lost.code_id) == ("lost", True, code.pk)
    assert (lost.input_tokens, lost.output_tokens, lost.cost_micros) == (700, 300, 3_700)
    assert lost.at == NOW
    moved, _counts = settle(held, 300, 1_200)  # the slow request ends after all: ignored
    assert moved is None and UsageRecord.objects.count() == 1
    row = ledger(f"code:{code.pk}:2026-11")
    assert (row.used_tokens, row.used_micros, row.reserved_tokens) == (1_000, 3_700, 0)


def test_it_computes_the_worst_case_at_the_dearest_provider(paid):
    tokens, micros, extra = worst_case(1_000, 800, [paid, build_offline()])
    assert tokens == 1_250 + 800  # input estimate x 1.25 margin + max output
    assert micros == 1_250 * 2 + 800 * 10  # € per million tokens = micro-euros per token
    assert extra == 0  # one paid provider: no fallback may bill on top
    assert worst_case(1_000, 800, [build_offline()]) == (0, 0, 0)


def claude(order=2):
    config = ProviderConfig.objects.create(name=f"Claude {order}", kind="anthropic", order=order)
    Price.objects.create(
        provider=config,
        effective_from=NOW - dt.timedelta(days=1),
        eur_per_million_input=Decimal(3),
        eur_per_million_output=Decimal(15),
    )
    return build(config)


def test_it_holds_the_fallbacks_input_on_the_town_budget_only(code, paid):
    chain = [paid, claude(), build_offline()]
    # The resident's part: 1,250 input + 800 output tokens once, at the dearest rates;
    # the town's budget also holds the other paid provider's input: 1,250 x 2 €.
    assert worst_case(1_000, 800, chain) == (2_050, 1_250 * 3 + 800 * 15, 2_500)
    meter = Metering(code)
    meter.started = NOW
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=chain)
    mine, town = ledger(f"code:{code.pk}:2026-11"), ledger("town:2026-11")
    assert (mine.reserved_tokens, mine.reserved_micros) == (2_050, 15_750)
    assert (town.reserved_tokens, town.reserved_micros) == (2_050, 18_250)
    meter.settle(Usage(1_000, 100), outcome="ok", provider=paid, latency_ms=5)
    mine.refresh_from_db()
    town.refresh_from_db()
    # 1,000 x 2 + 100 x 10 = 3,000 micro-euros, everything held is released
    assert (mine.used_micros, mine.reserved_tokens, mine.reserved_micros) == (3_000, 0, 0)
    assert (town.used_micros, town.reserved_tokens, town.reserved_micros) == (3_000, 0, 0)


def test_it_admits_a_fresh_codes_first_question_with_three_paid_providers(code, quotas, paid):
    quotas.code_daily_tokens = 6_000
    quotas.save()
    chain = [paid, claude(2), claude(3)]
    meter = Metering(code)
    meter.started = NOW
    # 2,000 x 1.25 + 800 = 3,300 tokens fit 6,000 (not 3 x 2,500 + 800 = 8,300)
    assert meter.reserve(estimated_input_tokens=2_000, max_output_tokens=800, chain=chain) is False
    assert ledger(f"code:{code.pk}:2026-11-23").reserved_tokens == 3_300


def test_it_charges_a_provider_that_failed_after_accepting_the_question(code, paid):
    from providers.base import ProviderError
    from providers.chain import Failure

    offline = build_offline()
    meter = Metering(code)
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[paid, offline])
    timed_out = Failure(paid, ProviderError("x", "read timeout"), Usage(1_000, 0, estimated=True))
    refused = Failure(paid, ProviderError("x", "500"), Usage(0, 0))
    meter.settle(
        Usage(900, 60, estimated=True),
        outcome="ok",
        provider=offline,
        latency_ms=30_000,
        failures=[timed_out, refused],
    )
    records = {r.outcome: r for r in UsageRecord.objects.all()}
    assert set(records) == {"ok", "failover"}  # nothing for the request refused outright
    assert records["failover"].provider == "Mistral" and records["failover"].cost_micros == 2_000
    assert records["ok"].kind == "offline" and records["ok"].cost_micros == 0
    month = timezone.localtime().strftime("%Y-%m")
    # The failed provider's bill was held on the town's budget only, and is charged there:
    # the resident's allowance pays for the answer they got (here free extracts).
    row = ledger(f"code:{code.pk}:{month}")
    assert (row.used_tokens, row.used_micros, row.reserved_tokens, row.reserved_micros) == (0,) * 4
    town = ledger(f"town:{month}")
    assert (town.used_micros, town.reserved_micros) == (2_000, 0)
    summary = usage_summary(code)
    assert summary["questions"] == 1  # one question, though two records
    assert summary["used_eur"] == Decimal("0.002000")  # the failed provider's cost counts


def build_offline():
    from providers.offline import OfflineProvider

    return OfflineProvider()


def test_it_records_usage_with_the_price_in_force_and_no_text(code, paid):
    meter = Metering(code)
    meter.started = NOW
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[paid])
    usage = Usage(input_tokens=1_000, output_tokens=200, cached_tokens=400)
    left = meter.settle(usage, outcome="ok", provider=paid, latency_ms=850)
    record = UsageRecord.objects.get()
    # 600 uncached x 2 + 400 cached x 1 + 200 output x 10 = 3,600 micro-euros
    assert record.cost_micros == 3_600 and record.cost_eur == Decimal("0.0036")
    assert (record.provider, record.kind, record.model) == ("Mistral", "mistral", "mistral-small")
    assert (record.input_tokens, record.output_tokens, record.cached_tokens) == (1_000, 200, 400)
    assert record.outcome == "ok" and record.latency_ms == 850 and record.code_id == code.pk
    assert left == 88  # 1,200 of 10,000 tokens used
    assert not Reservation.objects.exists()


def dearer_price_from(paid, when):
    """A new price version, 100 times dearer than the `paid` fixture's, in force from `when`."""
    return Price.objects.create(
        provider=paid.config,
        effective_from=when,
        eur_per_million_input=Decimal(200),
        eur_per_million_output=Decimal(1000),
    )


def test_it_uses_the_price_version_in_force_when_the_question_was_asked(code, paid):
    dearer_price_from(paid, NOW + dt.timedelta(hours=1))
    meter = Metering(code)
    meter.started = NOW
    meter.reserve(estimated_input_tokens=100, max_output_tokens=100, chain=[paid])
    meter.settle(Usage(100, 100), outcome="ok", provider=paid, latency_ms=1)
    assert (UsageRecord.objects.get()).cost_micros == 100 * 2 + 100 * 10


def test_it_reads_the_price_once_per_answer_and_reserves_at_that_price(code, paid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dearer_price_from(paid, NOW + dt.timedelta(seconds=1))  # in force since the question
    meter = Metering(code)
    meter.started = NOW
    with CaptureQueriesContext(connection) as queries:
        meter.reserve(estimated_input_tokens=100, max_output_tokens=100, chain=[paid])
        held = meter.reservation.micros
        meter.settle(Usage(100, 100), outcome="ok", provider=paid, latency_ms=1)
    assert sum('"providers_price"' in q["sql"] for q in queries.captured_queries) == 1
    # held at the price of the question's moment: 2 € / 10 € per million, input with margin
    assert held == math.ceil(100 * settings.METER_INPUT_MARGIN) * 2 + 100 * 10
    assert Reservation.objects.count() == 0
    assert (UsageRecord.objects.get()).cost_micros == 100 * 2 + 100 * 10


def test_it_charges_a_partial_answer_for_what_was_produced(code, paid):
    meter = Metering(code)
    meter.reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[paid])
    usage = Usage(input_tokens=100, output_tokens=7, estimated=True)
    meter.settle(usage, outcome="partial", provider=paid, latency_ms=10)
    record = UsageRecord.objects.get()
    assert record.outcome == "partial" and record.estimated and record.output_tokens == 7
    month = timezone.localtime().strftime("%Y-%m")
    row = Ledger.objects.get(key=f"code:{code.pk}:{month}")
    assert (row.used_tokens, row.reserved_tokens) == (107, 0)


def test_it_lets_the_offline_provider_answer_free_when_the_budget_is_spent(code, paid):
    quotas = QuotaSettings.objects.get(pk=1)
    quotas.monthly_budget_eur = Decimal("0.001")  # 1,000 micro-euros: less than a worst case
    quotas.save()
    meter = Metering(code)
    assert meter.reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[paid])
    quotas.offline_when_paused = False
    quotas.save()
    with pytest.raises(AdmissionRefused) as refused:
        Metering(code).reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[paid])
    assert refused.value.reason == "budget"


def test_it_quotes_documents_free_when_the_spend_is_already_over_the_budget(code, quotas, paid):
    quotas.offline_when_paused = True
    quotas.save()
    month = timezone.localtime().strftime("%Y-%m")
    Ledger.objects.create(key=f"town:{month}", period=month, used_micros=10_000_001)  # 10 € + 1
    meter = Metering(code)
    assert meter.reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[paid])
    assert meter.reservation.micros == 0  # a free answer, admitted over the budget
    assert reserve(code, fixed(0, 0)).micros == 0
    with pytest.raises(AdmissionRefused):  # anything paid is still refused
        reserve(code, fixed(0, 1))


def test_it_alerts_admins_once_when_an_answer_is_refused_for_the_budget(
    code, quotas, paid, mailoutbox, eager_celery
):
    quotas.monthly_budget_eur = Decimal("1.00")
    quotas.offline_when_paused = False
    quotas.alert_emails = "finances@example.fr"
    quotas.save()
    month = timezone.localtime().strftime("%Y-%m")
    # 99.8 % spent: not even the shortest answer fits, 125 x 2 + 200 x 10 = 2,250 micro-euros
    Ledger.objects.create(key=f"town:{month}", period=month, used_micros=998_000)
    for _attempt in range(2):
        with pytest.raises(AdmissionRefused):
            Metering(code).reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[paid])
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["finances@example.fr"]
    assert "budget" in mailoutbox[0].subject.lower()
    assert sorted(BudgetAlert.objects.values_list("level", flat=True)) == [80, 100]


@pytest.fixture
def queued(monkeypatch):
    """The budget alerts handed to the task queue (no worker runs them here)."""
    calls = []

    def apply_async(args, **options):
        calls.append(tuple(args))
        assert options == {"retry": False}  # a broker down must not hold the answer

    monkeypatch.setattr(alerts.send_budget_alert, "apply_async", apply_async)
    return calls


def test_it_queues_the_alert_so_the_resident_never_waits_for_the_mail_server(
    code, quotas, paid, mailoutbox, queued
):
    quotas.alert_emails = "finances@example.fr"
    quotas.save()
    month = timezone.localtime().strftime("%Y-%m")
    Ledger.objects.create(key=f"town:{month}", period=month, used_micros=7_990_000)  # 79.9 %
    meter = Metering(code)
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[paid])
    meter.settle(Usage(5_000, 10_000), outcome="ok", provider=paid, latency_ms=5)  # +0.11 €
    assert queued == [(month, 80)] and not mailoutbox  # nothing sent during the answer
    assert alerts.send_budget_alert(month, 80) == 80  # what the worker then does
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["finances@example.fr"]
    meter = Metering(AccessCode.issue()[0])  # another resident's answer, still over 80 %
    meter.reserve(estimated_input_tokens=10, max_output_tokens=10, chain=[paid])
    meter.settle(Usage(10, 10), outcome="ok", provider=paid, latency_ms=5)
    assert queued == [(month, 80)]  # already sent: not queued again


def test_it_leaves_the_alert_to_the_periodic_check_when_the_queue_is_down(
    code, quotas, paid, mailoutbox, monkeypatch, caplog
):
    def down(*args, **options):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(alerts.send_budget_alert, "apply_async", down)
    quotas.alert_emails = "finances@example.fr"
    quotas.save()
    month = timezone.localtime().strftime("%Y-%m")
    Ledger.objects.create(key=f"town:{month}", period=month, used_micros=7_990_000)
    meter = Metering(code)
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[paid])
    left = meter.settle(Usage(5_000, 10_000), outcome="ok", provider=paid, latency_ms=5)
    assert left is not None and UsageRecord.objects.count() == 1  # the answer is charged
    assert "not queued" in caplog.text and not BudgetAlert.objects.exists()
    assert alerts.check_budget() == 80 and len(mailoutbox) == 1  # the check every 15 min


def test_it_counts_no_tokens_for_free_offline_answers(code):
    meter = Metering(code)
    offline = build_offline()
    meter.reserve(estimated_input_tokens=100, max_output_tokens=800, chain=[offline])
    meter.settle(Usage(100, 50, estimated=True), outcome="ok", provider=offline, latency_ms=5)
    row = ledger(f"code:{code.pk}:{timezone.localtime().strftime('%Y-%m')}")
    assert (row.used_tokens, row.used_micros) == (0, 0)
    assert UsageRecord.objects.get().kind == "offline"


def test_it_summarises_a_codes_month_for_the_counter(code, paid):
    meter = Metering(code)
    meter.reserve(estimated_input_tokens=100, max_output_tokens=100, chain=[paid])
    meter.settle(Usage(1_500, 500), outcome="ok", provider=paid, latency_ms=5)
    summary = usage_summary(code)
    assert summary["questions"] == 1
    assert summary["used_tokens"] == 2_000
    assert summary["allowance_tokens"] == 10_000
    assert summary["percent_left"] == 80
    assert summary["used_eur"] == Decimal("0.008000")
