"""The spend dashboard in a real browser: an admin signs in and reads the month's figures."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.support.browser import run_axe, shot, staff_sign_in

pytestmark = pytest.mark.browser


def _usage():
    from accesscodes.models import AccessCode
    from metering.models import QuotaSettings, UsageRecord

    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("300")
    q.save()
    codes = [AccessCode.issue()[0] for _ in range(4)]
    today = timezone.localtime()
    for day in range(1, today.day + 1):
        for n, code in enumerate(codes):
            when = today.replace(day=day, hour=9 + n)
            UsageRecord.objects.create(
                code=code,
                at=when,
                provider="Mistral" if n % 2 else "Claude",
                model="small" if n % 2 else "haiku",
                input_tokens=1500 + 100 * n,
                output_tokens=300,
                cost_micros=1_000_000 + 250_000 * n + 10_000 * day,
                outcome="ok",
            )
    codes[3].flagged_at = timezone.now()
    codes[3].flag_reasons = "5 appareils différents aujourd'hui"
    codes[3].save()
    return codes, today


def test_it_shows_the_month_to_an_admin(new_page, adele):
    from metering import spend

    page = new_page(bypass_csp=True)  # axe-core is injected as an inline script
    codes, today = _usage()
    staff_sign_in(page, adele, "/spend/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dépenses")
    figures = spend.month_figures()
    spent = f"{figures.spent_eur:.2f}".replace(".", ",") + " €"
    expect(page.locator("#spent")).to_have_text(spent)
    expect(page.locator("#questions")).to_have_text(str(4 * today.day))
    expect(page.locator("svg.chart rect")).to_have_count(len(figures.days))
    expect(page.locator("#flagged")).to_contain_text(codes[3].label)
    expect(page.locator("#providers")).to_contain_text("Mistral")
    shot(page, "spend-dashboard")
    assert run_axe(page) == []
