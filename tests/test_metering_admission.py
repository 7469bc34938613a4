"""Admission that fits: the output limit shrunk to what is left, waiting for answers under way,
the input calibrated on each vendor's counts, and expired reservations charged in any mode."""

import asyncio
import datetime as dt
import math
from decimal import Decimal

import pytest
from django.utils import timezone

from accesscodes.models import AccessCode
from knowledge.prompt import assemble
from metering import calibration
from metering.admission import AdmissionRefused, reserve, settle
from metering.meter import Metering, wait_for_room
from metering.models import InputRatio, Ledger, Reservation, UsageRecord
from metering.worstcase import WorstCase
from providers.base import Usage
from providers.models import ProviderConfig
from providers.registry import build
from tests.faults.kit import ask
from tests.support.providers import add_price

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))
MONTH = "2026-11"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.METER_INPUT_MARGIN = 2.0
    settings.METER_MIN_OUTPUT_TOKENS = 200
    settings.METER_CALIBRATION_ANSWERS = 20
    settings.METER_CALIBRATION_WINDOW = 50
    settings.METER_INPUT_QUANTILE = 0.95


@pytest.fixture
def code():
    found = AccessCode.issue()[0]
    found.monthly_tokens = 10_000
    found.save()
    return found


def used(code, tokens: int) -> None:
    """The code's month already used `tokens`."""
    key = f"code:{code.pk}:{MONTH}"
    Ledger.objects.create(key=key, code=code, period=MONTH, used_tokens=tokens)


def question(input_tokens=500, output=800) -> WorstCase:
    return WorstCase(input_tokens, max_output=output, min_output=200)


def test_it_shrinks_the_output_limit_to_what_is_left_down_to_the_shortest_answer(code):
    used(code, 8_700)  # 1,300 left: 500 of input and 800 of output fit exactly
    assert reserve(code, question(), NOW).output_tokens == 800
    Ledger.objects.filter(code=code).update(reserved_tokens=0, used_tokens=9_000)  # 1,000 left
    held = reserve(code, question(), NOW)
    assert (held.output_tokens, held.tokens) == (500, 1_000)
    Ledger.objects.filter(code=code).update(reserved_tokens=0, used_tokens=9_300)  # 700 left
    assert reserve(code, question(), NOW).output_tokens == 200  # the shortest answer
    Ledger.objects.filter(code=code).update(reserved_tokens=0, used_tokens=9_301)  # 699 left
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, question(), NOW)
    assert refused.value.reason == "allowance" and refused.value.may_wait is False


def test_it_shrinks_to_what_the_town_budget_has_left_at_the_dearest_rates(code):
    from metering.models import QuotaSettings

    quotas = QuotaSettings.current()
    quotas.monthly_budget_eur = Decimal("0.01")  # 10,000 micro-euros
    quotas.save()
    # 500 input tokens at 2 µ€, output at 10 µ€, and a fallback's input of 1,000 µ€ on top.
    worst = WorstCase(500, 800, 200, Decimal(1_000), Decimal(10), Decimal(1_000))
    Ledger.objects.create(key=f"town:{MONTH}", period=MONTH, used_micros=5_000)
    held = reserve(code, worst, NOW)
    assert held.output_tokens == 300  # 1,000 + 1,000 + 300 x 10 = 5,000 µ€ left
    assert (held.micros, held.extra_micros) == (4_000, 1_000)
    assert Ledger.objects.get(key=f"town:{MONTH}").reserved_micros == 5_000


def test_it_tells_a_question_to_wait_while_answers_under_way_hold_what_it_needs(code):
    used(code, 8_100)  # 1,900 left
    first = reserve(code, question(), NOW)  # holds 1,300
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, question(), NOW)  # 600 left with the first under way: not 500 + 200
    assert refused.value.may_wait is True
    settle(first, 600, 0)  # the first answer used 600 of its 1,300
    assert reserve(code, question(), NOW).output_tokens == 800  # 1,300 left
    Ledger.objects.filter(code=code).update(used_tokens=9_400)  # what is used leaves 0 room
    with pytest.raises(AdmissionRefused) as refused:
        reserve(code, question(), NOW)
    assert refused.value.may_wait is False  # nothing under way will ever make it fit


def test_it_waits_for_room_on_the_event_loop_then_refuses_for_good(settings):
    settings.METER_WAIT_SECONDS = 2.0  # tries after about 0.05, 0.1, 0.2, 0.4, 0.8 s...
    tries = []

    def attempt(may_wait):
        tries.append(may_wait)
        if len(tries) < 3:
            raise AdmissionRefused("allowance", "plus de crédit", may_wait=True)
        return "admitted"

    assert asyncio.run(wait_for_room(attempt)) == "admitted" and tries == [True] * 3

    def never(may_wait):
        tries.append(may_wait)
        raise AdmissionRefused("allowance", "plus de crédit", may_wait=may_wait)

    tries.clear()
    with pytest.raises(AdmissionRefused):
        asyncio.run(wait_for_room(never))
    assert tries[-1] is False and all(tries[:-1])  # the last try is for good


def test_it_sends_the_shrunk_limit_to_the_provider_and_tells_the_resident(
    resident_client, resident, town, fake_llm
):
    estimate = assemble(
        "Quand a lieu le marché ?", [], timezone.localdate()
    ).input_tokens_estimate()
    held_input = math.ceil(estimate * 2.0)  # before the vendor's first count
    resident.monthly_tokens = held_input + 300
    resident.save()
    reply = ask(resident_client)
    assert reply.names[-1] == "done", reply.events
    assert fake_llm.bodies[-1]["max_tokens"] == 300  # what the provider was asked for
    assert reply.names[0] == "notice"
    assert reply.last("notice")["message"].startswith("Il reste peu de crédit")
    [record] = UsageRecord.objects.all()
    assert record.input_tokens + record.output_tokens <= resident.monthly_tokens


def paid(name="Mistral"):
    config = ProviderConfig.objects.create(name=name, kind="mistral", model="small", order=1)
    add_price(config, 2, 10, NOW - dt.timedelta(days=1))
    return build(config)


def answer(code, provider, estimate: int, counted: int) -> Metering:
    meter = Metering(code)
    meter.started = NOW
    meter.reserve(estimated_input_tokens=estimate, max_output_tokens=800, chain=[provider])
    meter.settle(Usage(counted, 100), outcome="ok", provider=provider, latency_ms=5)
    return meter


def test_it_learns_each_vendors_count_and_holds_a_high_quantile_of_it(code, settings):
    code.monthly_tokens = 10**7
    code.save()
    mistral = paid()
    held = []
    for n in range(30):
        meter = Metering(code)
        meter.started = NOW
        meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[mistral])
        held.append(meter.reservation.tokens - meter.reservation.output_tokens)
        counted = 1_700 if n == 3 else 900  # one question counted much higher
        meter.settle(Usage(counted, 100), outcome="ok", provider=mistral, latency_ms=5)
    assert held[0] == 2_000  # before any count: our estimate x METER_INPUT_MARGIN
    assert held[1:4] == [900, 900, 900]  # the highest ratio seen so far
    assert set(held[4:20]) == {1_700}  # fewer than 20 counts: still the highest
    assert set(held[20:]) == {900}  # then the 95th percentile: the outlier is 1 in 20+
    rows = InputRatio.objects.filter(provider="Mistral", model="small")
    assert rows.count() == 30 and {round(r.ratio, 2) for r in rows} == {0.9, 1.7}


def test_it_keeps_a_ring_of_recent_ratios_per_provider_and_model(code, settings):
    settings.METER_CALIBRATION_WINDOW = 5
    code.monthly_tokens = 10**7
    code.save()
    mistral, other = paid(), paid("Other")
    for _ in range(8):
        answer(code, mistral, 1_000, 1_100)
    answer(code, other, 1_000, 500)
    assert InputRatio.objects.filter(provider="Mistral").count() == 5  # the window
    factors = calibration.factors(InputRatio.objects.values_list("provider", "model", "ratio"))
    assert factors == {("Mistral", "small"): 1.1, ("Other", "small"): 0.5}


def test_it_charges_an_expired_reservation_at_the_next_question_with_no_beat(code):
    first = reserve(code, question(), NOW)  # its process dies
    later = NOW + dt.timedelta(minutes=11)
    reserve(code, question(), later)  # the next question, in any process, charges it
    assert not Reservation.objects.filter(pk=first.pk).exists()
    lost = UsageRecord.objects.get(outcome="lost")
    assert (lost.input_tokens, lost.output_tokens, lost.estimated) == (500, 800, True)
    row = Ledger.objects.get(key=f"code:{code.pk}:{MONTH}")
    assert (row.used_tokens, row.reserved_tokens) == (1_300, 1_300)


def test_it_reads_fractional_prices_in_the_reservations_round_trip_as_the_orm_does(code):
    config = ProviderConfig.objects.create(name="GPT", kind="openai", model="gpt-4o", order=1)
    add_price(config, "2.50", "10.00", NOW - dt.timedelta(days=2))
    add_price(config, "0.15", "0.60", NOW - dt.timedelta(days=1))  # the version in force
    add_price(config, "99", "99", NOW + dt.timedelta(days=1))  # not yet
    gpt = build(config)
    meter = Metering(code)
    meter.started = NOW
    meter.reserve(estimated_input_tokens=1_000, max_output_tokens=800, chain=[gpt])
    # 2,000 input tokens (no count yet: x 2) at 0.15 µ€ + 800 output at 0.60 µ€ = 780 µ€
    assert meter.reservation.micros == 780
    meter.settle(Usage(1_000, 100), outcome="ok", provider=gpt, latency_ms=5)
    record = UsageRecord.objects.get()
    assert record.cost_micros == 150 + 60 and record.price.eur_per_million_input == Decimal("0.15")
