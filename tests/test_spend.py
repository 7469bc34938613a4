"""The admins' spend dashboard, CSV export, quotas page, budget alerts and monthly report.

Figures are checked against totals computed by hand from the usage records below.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accesscodes.models import AccessCode, AuditEntry
from metering import alerts, spend
from metering.models import BudgetAlert, Ledger, QuotaSettings
from metering.models import UsageRecord as R

pytestmark = pytest.mark.django_db


def at(day, hour=10, month=10):
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


@pytest.fixture
def october():
    """Three codes' usage in October 2026 (budget 300 €), one record in September."""
    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("300.00")
    q.save()
    a, b, c = (AccessCode.issue()[0] for _ in range(3))
    rows = [
        # code, day, provider, model, in, out, cached, micro-euros, outcome
        (a, 1, "Mistral", "small", 1000, 200, 0, 4_000_000, "ok"),
        (a, 1, "Mistral", "small", 1000, 100, 0, 3_000_000, "ok"),
        (b, 2, "Mistral", "small", 500, 50, 0, 1_500_000, "partial"),
        (a, 10, "Claude", "haiku", 2000, 300, 1000, 12_345_678, "ok"),
        (c, 10, "Offline", "town-documents", 100, 80, 0, 0, "ok"),
        (b, 31, "Claude", "haiku", 10, 0, 0, 0, "error"),
    ]
    for code, day, provider, model, tin, tout, cached, micros, outcome in rows:
        R.objects.create(
            code=code,
            at=at(day),
            provider=provider,
            model=model,
            input_tokens=tin,
            output_tokens=tout,
            cached_tokens=cached,
            cost_micros=micros,
            outcome=outcome,
        )
    R.objects.create(code=a, at=at(30, month=9), provider="Mistral", cost_micros=9_990_000)
    return a, b, c


def test_it_totals_a_month_by_hand(october):
    a, b, c = october
    f = spend.month_figures("2026-10", now=at(31, 23))
    # 4 + 3 + 1.5 + 12.345678 + 0 + 0 €
    assert f.spent_eur == Decimal("20.845678")
    assert f.questions == 6 and f.active_codes == 3
    assert f.percent_of_budget == 7  # 20.85 / 300 = 6.95 %
    assert f.average_eur == Decimal("3.4743")  # 20.845678 / 6
    assert (f.input_tokens, f.output_tokens, f.cached_tokens) == (4610, 730, 1000)
    assert len(f.days) == 31
    assert f.days[0] == {"day": dt.date(2026, 10, 1), "eur": Decimal("7.000000"), "questions": 2}
    assert f.days[9]["eur"] == Decimal("12.345678") and f.days[9]["questions"] == 2
    assert sum(d["questions"] for d in f.days) == 6
    by_model = {(p["provider"], p["model"]): p for p in f.providers}
    assert by_model[("Claude", "haiku")]["eur"] == Decimal("12.345678")
    assert by_model[("Claude", "haiku")]["questions"] == 2
    assert by_model[("Mistral", "small")]["eur"] == Decimal("8.500000")
    assert f.providers[0]["provider"] == "Claude"  # dearest first
    assert [t["label"] for t in f.top_codes] == [a.label, b.label, c.label]
    assert f.top_codes[0]["tokens"] == 1200 + 1100 + 2300
    assert f.outcomes == {"ok": 4, "partial": 1, "error": 1}


def test_it_projects_the_month_end_from_the_days_elapsed(october):
    # On 10 October, 20.845678 € over 10 days of 31: 64.62 € at this pace.
    assert spend.projection(Decimal("20.845678"), "2026-10", now=at(10, 18)) == Decimal("64.62")
    assert spend.projection(Decimal("5"), "2026-10", now=at(5, month=11)) == Decimal("5")
    assert spend.projection(Decimal("5"), "2026-12", now=at(5, month=11)) is None


def test_it_lists_past_months(october):
    months = spend.past_months(now=at(3, month=11))
    assert [(m["month"], m["first_day"], m["eur"], m["questions"]) for m in months] == [
        ("2026-10", dt.date(2026, 10, 1), Decimal("20.845678"), 6),
        ("2026-09", dt.date(2026, 9, 1), Decimal("9.990000"), 1),
    ]


def test_it_shows_the_dashboard_to_admins_only(client, october, adele, corinne, marius):
    assert client.get("/spend/").status_code == 302  # to the staff login
    for person in (corinne, marius):
        client.force_login(person)
        assert client.get("/spend/").status_code == 403
        assert client.get("/spend/export.csv").status_code == 403
        assert client.get("/spend/quotas/").status_code == 403
    client.force_login(adele)
    page = client.get("/spend/?month=2026-10").content.decode()
    assert "20,85 €" in page  # French formatting, two decimals
    assert october[0].label in page
    chart = page[page.index("<svg") : page.index("</svg>")] if "<svg" in page else ""
    assert chart and "<script" not in chart  # the chart is plain SVG, no script draws it


def test_it_exports_the_months_records_as_csv_for_french_excel(client, october, adele):
    R.objects.create(code=october[0], at=at(5), provider="=HYPERLINK(1)", model="@x", outcome="ok")
    client.force_login(adele)
    response = client.get("/spend/export.csv?month=2026-10")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("heure;code;fournisseur;modèle;")  # town's language
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 7
    assert all("," in r["coût (€)"] and "." not in r["coût (€)"] for r in rows)  # 0,012345
    assert sum(Decimal(r["coût (€)"].replace(",", ".")) for r in rows) == Decimal("20.845678")
    assert {r["code"] for r in rows} == {c.label for c in october}
    assert set(rows[0]) >= {
        "heure",
        "fournisseur",
        "modèle",
        "tokens en entrée",
        "tokens en sortie",
    }
    formula = next(r for r in rows if "HYPERLINK" in r["fournisseur"])
    assert (formula["fournisseur"], formula["modèle"]) == ("'=HYPERLINK(1)", "'@x")


def test_it_writes_csv_headers_in_the_towns_language_whatever_the_admins(client, adele):
    client.force_login(adele)
    client.post("/i18n/setlang/", {"language": "en", "next": "/spend/"})
    text = client.get("/spend/export.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("heure;code;fournisseur;")


def test_it_counts_a_failed_providers_billed_part_in_the_cost_not_the_questions(october):
    a = october[0]
    R.objects.create(code=a, at=at(10), provider="Mistral", model="small", input_tokens=2000)
    R.objects.filter(provider="Mistral", at=at(10)).update(cost_micros=4_000, outcome="failover")
    f = spend.month_figures("2026-10", now=at(31, 23))
    assert f.spent_eur == Decimal("20.849678")  # 20.845678 + 0.004 €
    assert f.questions == 6  # as before the failed provider's record
    assert f.days[9]["questions"] == 2 and f.days[9]["eur"] == Decimal("12.349678")
    by_model = {(p["provider"], p["model"]): p for p in f.providers}
    assert by_model[("Mistral", "small")]["questions"] == 3  # its three answers
    assert f.top_codes[0]["questions"] == 3  # a: three questions on days 1 and 10
    assert spend.past_months(now=at(3, month=11))[0]["questions"] == 6


def test_it_saves_quotas_and_audits_the_change(client, adele):
    client.force_login(adele)
    response = client.post(
        "/spend/quotas/",
        {
            "monthly_budget_eur": "450.00",
            "code_monthly_tokens": "150000",
            "code_daily_tokens": "20000",
            "offline_when_paused": "on",
            "alert_emails": "finances@example.fr\nmaire@example.fr",
        },
    )
    assert response.status_code == 302
    q = QuotaSettings.current()
    assert q.monthly_budget_eur == Decimal("450.00") and q.code_daily_tokens == 20000
    assert not q.auto_suspend_flagged
    entry = AuditEntry.objects.get(action="settings")
    assert entry.actor == adele and "monthly_budget_eur" in entry.detail
    bad = client.post("/spend/quotas/", {"monthly_budget_eur": "x", "alert_emails": "nope"})
    assert bad.status_code == 200 and QuotaSettings.current().monthly_budget_eur == 450


def test_it_refuses_a_budget_of_zero_or_less_and_a_negative_allowance(client, adele, english):
    client.force_login(adele)
    for budget in ("0", "-5"):
        page = client.post(
            "/spend/quotas/", {"monthly_budget_eur": budget, "code_monthly_eur": "-1"}
        )
        assert page.status_code == 200
        assert "The monthly budget must be more than 0 €." in page.content.decode()
        assert "greater than or equal to 0" in page.content.decode()
    assert QuotaSettings.current().monthly_budget_eur > 0
    code = AccessCode.issue()[0]
    page = client.post(f"/spend/codes/{code.number}/", {"monthly_eur": "-2"})
    assert "Enter an amount of 0 € or more." in page.content.decode()
    code.refresh_from_db()
    assert code.monthly_eur is None


def test_it_leads_an_admin_from_a_flagged_code_to_its_suspension(client, october, adele, corinne):
    code = october[1]
    code.flagged_at, code.flag_reasons = timezone.now(), "6 appareils différents aujourd'hui"
    code.save()
    client.force_login(corinne)
    assert client.get(f"/spend/codes/{code.number}/").status_code == 403
    assert client.post(f"/spend/codes/{code.number}/clear-flag").status_code == 403
    client.force_login(adele)
    page = client.get(f"/spend/codes/{code.number}/").content.decode()
    assert "6 appareils différents" in page
    assert f'href="/desk/codes/{code.number}/"' in page  # where suspending is done
    client.post(f"/desk/codes/{code.number}/suspend")
    code.refresh_from_db()
    assert code.status == "suspended"
    client.post(f"/spend/codes/{code.number}/", {"monthly_tokens": "5000"})
    code.refresh_from_db()
    assert code.monthly_tokens == 5000
    assert AuditEntry.objects.filter(action="quota", code=code, actor=adele).exists()
    client.post(f"/spend/codes/{code.number}/clear-flag")
    code.refresh_from_db()
    assert code.flagged_at is None and code.flag_reasons == ""
    log = client.get("/desk/audit/").content.decode()  # stored without words, shown in French
    assert "signalement levé" in log and "flag cleared" not in log


def _spend(micros):
    month = spend.current_month()
    Ledger.objects.update_or_create(
        key=f"town:{month}", defaults={"period": month, "used_micros": micros}
    )


def test_it_alerts_admins_once_at_80_and_once_at_100_percent(adele, mailoutbox):
    adele.email = "adele@example.fr"
    adele.save()
    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("100")
    q.save()
    _spend(79_000_000)
    assert alerts.check_budget() is None and not mailoutbox
    _spend(80_000_000)
    assert alerts.check_budget() == 80
    assert alerts.check_budget() is None  # not twice
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["adele@example.fr"]
    assert "80" in mailoutbox[0].subject
    _spend(100_000_000)
    assert alerts.check_budget() == 100
    assert len(mailoutbox) == 2 and "budget" in mailoutbox[1].subject.lower()
    assert BudgetAlert.objects.count() == 2


def test_it_skips_the_80_alert_when_the_budget_is_spent_at_once(adele, mailoutbox):
    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("10")
    q.alert_emails = "finances@example.fr"
    q.save()
    _spend(12_000_000)
    assert alerts.check_budget() == 100
    assert alerts.check_budget() is None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["finances@example.fr"]


def test_it_keeps_no_alert_row_when_the_mail_fails_and_sends_it_later(
    adele, mailoutbox, monkeypatch, caplog
):
    import smtplib

    q = QuotaSettings.current()
    q.monthly_budget_eur = Decimal("10")
    q.alert_emails = "finances@example.fr"
    q.save()
    _spend(8_500_000)  # 85 %

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    with monkeypatch.context() as patched:
        patched.setattr(alerts, "send_mail", down)
        assert alerts.check_budget() is None
    assert not BudgetAlert.objects.exists()
    assert "budget alert 80 % of" in caplog.text
    assert alerts.check_budget() == 80  # the next check sends it
    assert len(mailoutbox) == 1 and list(BudgetAlert.objects.values_list("level", flat=True)) == [
        80
    ]


def test_it_mails_the_monthly_report(october, adele, mailoutbox):
    adele.email = "adele@example.fr"
    adele.save()
    assert alerts.monthly_report("2026-10") == 1
    body = mailoutbox[0].body
    assert "2026-10" in mailoutbox[0].subject
    assert "20.85" in body or "20,85" in body
    assert "Claude" in body and "Mistral" in body


def test_it_shows_a_code_past_its_end_date_as_expired_to_admins(client, adele):
    now = timezone.now()
    code = AccessCode.issue(expires_at=now - dt.timedelta(days=1))[0]
    code.flagged_at, code.flag_reasons = now, "6 appareils différents aujourd'hui"
    code.save()
    R.objects.create(code=code, at=now, provider="Mistral", input_tokens=10, cost_micros=1)
    client.force_login(adele)
    page = client.get("/spend/").content.decode()
    rows = [row for row in page.split("<tr>") if code.label in row]
    assert len(rows) == 2  # the month's top codes and the flagged codes
    assert all("<td>expiré</td>" in row for row in rows), rows
    detail = client.get(f"/spend/codes/{code.number}/").content.decode()
    assert '<dd id="code-status">expiré</dd>' in detail
