"""Sharing and overuse signals: salted daily fingerprints, thresholds, flags and suspension."""

import datetime as dt

import pytest
from django.core import serializers
from django.test import RequestFactory
from django.utils import timezone

from accesscodes import sharing
from accesscodes.models import AccessCode, AuditEntry, ClientSighting, DailySalt
from metering import overuse
from metering.models import Ledger, QuotaSettings, UsageRecord

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 15, 30))
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def request_from(address, agent=FIREFOX, **meta):
    return RequestFactory().get("/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent, **meta)


def test_it_describes_a_client_by_network_prefix_and_browser():
    assert sharing.client_description(request_from("203.0.113.77")) == (f"203.0.113.0/24|{FIREFOX}")
    same = sharing.client_description(request_from("203.0.113.200"))
    assert same == sharing.client_description(request_from("203.0.113.5"))
    v6 = sharing.client_description(request_from("2001:db8:abcd:12::1"))
    assert v6.startswith("2001:db8:abcd::/48|")


@pytest.mark.security
def test_it_trusts_the_forwarded_address_only_behind_a_proxy(settings):
    # The client wrote the first entry itself; the town's proxy added the last one.
    req = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert sharing.client_description(req).startswith("10.0.0.0/24")
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert sharing.client_description(req).startswith("198.51.100.0/24")


@pytest.mark.security
def test_it_stores_salted_fingerprints_that_change_every_day_and_no_address():
    code = AccessCode.issue()[0]
    client = sharing.client_description(request_from("203.0.113.77"))
    sharing.record_sighting(code, client, NOW)
    sharing.record_sighting(code, client, NOW)
    sharing.record_sighting(code, client, NOW + dt.timedelta(days=1))
    today, tomorrow = ClientSighting.objects.order_by("day")
    assert today.requests == 2 and tomorrow.requests == 1
    assert today.fingerprint != tomorrow.fingerprint  # not linkable across days
    dump = serializers.serialize("json", [*ClientSighting.objects.all(), *DailySalt.objects.all()])
    assert "203.0.113" not in dump and "Firefox" not in dump
    assert sharing.forget_old_salts(today=timezone.localdate(NOW) + dt.timedelta(days=1)) == 1
    assert list(DailySalt.objects.values_list("day", flat=True)) == [tomorrow.day]


def test_it_flags_a_code_the_moment_it_is_seen_from_too_many_devices(settings):
    settings.SHARING_MAX_CLIENTS_PER_DAY = 4
    shared, honest = AccessCode.issue()[0], AccessCode.issue()[0]
    for n in range(3):
        sharing.record_sighting(shared, f"198.51.{n}.0/24|{FIREFOX}", NOW)
    shared.refresh_from_db()
    assert shared.flagged_at is None
    sharing.record_sighting(shared, f"198.51.3.0/24|{FIREFOX}", NOW)  # the fourth device
    sharing.record_sighting(honest, f"198.51.7.0/24|{FIREFOX}", NOW)
    sharing.record_sighting(honest, f"203.0.113.0/24|{FIREFOX}", NOW)
    shared.refresh_from_db()  # flagged at once, with no periodic task
    assert shared.flagged_at == NOW and "4 appareils différents" in shared.flag_reasons
    assert shared.status == "active"  # the town did not ask for automatic suspension
    entry = AuditEntry.objects.get(action="flagged")
    assert entry.actor is None and entry.actor_name == "system" and entry.label == shared.label
    assert overuse.flag_codes(NOW) == []  # the periodic catch-up: already flagged
    honest.refresh_from_db()
    assert honest.flagged_at is None


def test_it_flags_a_burst_of_questions_and_can_suspend_automatically(settings):
    settings.SHARING_MAX_REQUESTS_PER_HOUR = 10
    q = QuotaSettings.current()
    q.auto_suspend_flagged = True
    q.save()
    busy = AccessCode.issue()[0]
    start = NOW.replace(minute=0)
    for n in range(10):
        UsageRecord.objects.create(code=busy, at=start + dt.timedelta(minutes=n), outcome="ok")
    calm = AccessCode.issue()[0]
    for n in range(10):  # ten questions spread over ten hours
        UsageRecord.objects.create(code=calm, at=start - dt.timedelta(hours=n), outcome="ok")
    overuse.flag_codes(NOW)
    busy.refresh_from_db()
    calm.refresh_from_db()
    assert busy.status == "suspended" and "10 questions en une heure" in busy.flag_reasons
    assert calm.status == "active" and calm.flagged_at is None
    assert AuditEntry.objects.filter(action="auto_suspended", code=busy).count() == 1


def test_it_flags_usage_far_above_the_median_code(settings):
    settings.SHARING_MAX_TIMES_MEDIAN = 10
    settings.SHARING_MEDIAN_MIN_CODES = 5
    codes = [AccessCode.issue()[0] for _ in range(6)]
    for code, tokens in zip(codes, [1_000] * 5 + [10_000], strict=True):  # paid tokens
        Ledger.objects.create(key=f"code:{code.pk}:2026-11", code=code, period="2026-11")
        Ledger.objects.filter(code=code).update(used_tokens=tokens)
    found = overuse.signals(NOW)
    assert found[codes[5].pk].times_median == 10.0
    assert found[codes[5].pk].reasons == ["10× l'utilisation du code médian ce mois-ci"]
    assert found[codes[0].pk].reasons == []


def test_it_never_suspends_again_a_code_an_admin_reactivated_for_the_same_signals(settings):
    settings.SHARING_MAX_CLIENTS_PER_DAY = 5
    settings.SHARING_MAX_REQUESTS_PER_HOUR = 10
    q = QuotaSettings.current()
    q.auto_suspend_flagged = True
    q.save()
    code = AccessCode.issue()[0]
    for n in range(5):  # a family: a tablet and phones
        sharing.record_sighting(code, f"10.0.{n}.0/24|{FIREFOX}", NOW)
    overuse.flag_codes(NOW)
    code.refresh_from_db()
    assert code.status == "suspended"
    # An admin looks into it, reactivates the code and clears its flag.
    code.set_status(AccessCode.Status.ACTIVE)
    code.flagged_at, code.flag_reasons = None, ""
    code.save()
    overuse.flag_codes(NOW + dt.timedelta(minutes=15))
    sharing.record_sighting(code, f"10.0.9.0/24|{FIREFOX}", NOW)  # a sixth device
    overuse.flag_codes(NOW + dt.timedelta(minutes=30))
    code.refresh_from_db()
    assert code.status == "active" and "6 appareils différents" in code.flag_reasons
    assert AuditEntry.objects.filter(action="auto_suspended", code=code).count() == 1
    start = NOW.replace(minute=0)
    for n in range(10):  # a new kind of signal: a burst of questions
        UsageRecord.objects.create(code=code, at=start + dt.timedelta(minutes=n), outcome="ok")
    overuse.flag_codes(NOW + dt.timedelta(minutes=45))
    code.refresh_from_db()
    assert code.status == "suspended"
    assert AuditEntry.objects.filter(action="auto_suspended", code=code).count() == 2


def test_it_counts_no_question_for_a_failed_providers_billed_part(settings):
    settings.SHARING_MAX_REQUESTS_PER_HOUR = 10
    code = AccessCode.issue()[0]
    start = NOW.replace(minute=0)
    for n in range(5):  # five questions, each after a provider failed and billed its input
        for outcome in ("ok", "failover"):
            UsageRecord.objects.create(
                code=code, at=start + dt.timedelta(minutes=n), outcome=outcome
            )
    found = overuse.signals(NOW)
    assert found[code.pk].peak_per_hour == 5 and found[code.pk].reasons == []


def test_it_writes_the_reasons_in_the_town_language_whatever_the_process_language(settings):
    from django.utils import translation

    settings.SHARING_MAX_CLIENTS_PER_DAY = 4
    shared = AccessCode.issue()[0]
    for n in range(4):
        sharing.record_sighting(shared, f"198.51.{n}.0/24|{FIREFOX}", NOW)
    with translation.override("en"):  # e.g. a worker thread that served an English page
        overuse.flag_codes(NOW)
    shared.refresh_from_db()
    assert "4 appareils différents" in shared.flag_reasons


def answer(code, when, tokens=(0, 0), provider=None):
    """One question of `code` through the metering seam, settled as the chat view does."""
    from metering.meter import Metering
    from providers.base import Usage
    from providers.offline import OfflineProvider

    provider = provider or OfflineProvider()
    meter = Metering(code)
    meter.started = when
    meter.reserve(estimated_input_tokens=100, max_output_tokens=100, chain=[provider])
    meter.settle(Usage(*tokens), outcome="ok", provider=provider, latency_ms=5)


def test_it_flags_a_burst_when_the_answer_that_crosses_the_threshold_is_settled(settings):
    settings.SHARING_MAX_REQUESTS_PER_HOUR = 5
    busy = AccessCode.issue()[0]
    start = NOW.replace(minute=0)
    answer(busy, start - dt.timedelta(minutes=5))  # the hour before does not count
    for n in range(4):
        answer(busy, start + dt.timedelta(minutes=n))
    busy.refresh_from_db()
    assert busy.flagged_at is None
    answer(busy, start + dt.timedelta(minutes=9))  # the fifth question of this hour
    busy.refresh_from_db()  # flagged by the settlement itself: no periodic task ran
    assert busy.flagged_at == start + dt.timedelta(minutes=9)
    assert busy.flag_reasons == "5 questions en une heure"


def test_it_flags_usage_far_above_the_median_when_the_answer_is_settled(settings):
    from core.memo import clear_all
    from providers.models import Price, ProviderConfig
    from providers.registry import build

    settings.SHARING_MAX_TIMES_MEDIAN = 10
    settings.SHARING_MEDIAN_MIN_CODES = 5
    config = ProviderConfig.objects.create(name="Paid", kind="openai_compatible", order=1)
    Price.objects.create(provider=config, effective_from=NOW - dt.timedelta(days=1))
    month = timezone.localtime().strftime("%Y-%m")
    for _ in range(5):
        other = AccessCode.issue()[0]
        Ledger.objects.create(key=f"code:{other.pk}:{month}", code=other, period=month)
        Ledger.objects.filter(code=other).update(used_tokens=1_000)
    clear_all()  # the median, read at most once a minute, is read now
    heavy = AccessCode.issue()[0]
    answer(heavy, timezone.now(), (9_000, 900), build(config))
    heavy.refresh_from_db()
    assert heavy.flagged_at is None  # 9,900 tokens: 9.9 x the median
    answer(heavy, timezone.now(), (90, 10), build(config))
    heavy.refresh_from_db()
    assert heavy.flag_reasons == "10× l'utilisation du code médian ce mois-ci"
