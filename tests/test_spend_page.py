"""The spend dashboard's wording: plurals, an empty month, month navigation, and the energy
and emissions estimate (ecologits) beside the euros."""

import pytest
from django.utils import timezone

from accesscodes.models import AccessCode
from metering import spend
from metering.models import UsageRecord

pytestmark = pytest.mark.django_db


def record(kind="mistral", model="mistral-small-latest", at=None, **fields):
    values = {"input_tokens": 1500, "output_tokens": 300, "latency_ms": 3000, "outcome": "ok"}
    return UsageRecord.objects.create(
        code=AccessCode.issue()[0],
        at=at or timezone.now(),
        provider=kind.title(),
        kind=kind,
        model=model,
        cost_micros=1000,
        **{**values, **fields},
    )


def test_it_says_one_code_in_the_singular(client, adele):
    AccessCode.issue()
    client.force_login(adele)
    page = client.get("/spend/").content.decode()
    assert "1 code actif en tout" in page and "1 codes" not in page


def test_it_shows_an_empty_state_and_no_dead_navigation_for_a_quiet_month(client, adele):
    client.force_login(adele)
    page = client.get("/spend/").content.decode()
    assert 'id="no-spend"' in page and "<svg" not in page
    assert "Mois précédent" not in page  # nothing before this month
    assert "export.csv" not in page


def test_it_links_the_previous_month_only_when_it_has_records(client, adele):
    last_month = timezone.now() - timezone.timedelta(days=40)
    record(at=last_month)
    client.force_login(adele)
    assert "Mois précédent" in client.get("/spend/").content.decode()
    earliest = spend.earliest_month()
    older = client.get(f"/spend/?month={earliest}").content.decode()
    assert "Mois précédent" not in older


def test_it_estimates_energy_and_emissions_per_answer_and_month(client, adele):
    for _ in range(3):
        record()
    record(kind="offline", model="town-documents")
    client.force_login(adele)
    page = client.get("/spend/").content.decode()
    assert "Énergie et émissions (estimation)" in page
    assert "EcoLogits" in page and "FRA" in page
    figures = spend.month_figures()
    known = next(row for row in figures.providers if row["kind"] == "mistral")
    offline = next(row for row in figures.providers if row["kind"] == "offline")
    assert offline["impact"] is None and "pas d'estimation" in page
    impact = known["impact"]
    assert impact.wh_per_answer > 0 and impact.g_per_answer > 0
    assert impact.wh_total == pytest.approx(3 * impact.wh_per_answer)
    month = spend.month_impact(figures.providers)
    assert month.wh_total == pytest.approx(impact.wh_total)


def test_it_gives_no_estimate_for_a_model_ecologits_does_not_know():
    row = {"kind": "openai", "model": "no-such-model", "answers": 1, "output_tokens": 10}
    assert spend.impact_of(row) is None
