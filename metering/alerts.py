"""E-mails to admins: budget alerts at 80 % and 100 % of the month, and the monthly report."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import BudgetAlert, Ledger, QuotaSettings, to_micros
from .spend import current_month, month_figures, shift_month

LEVELS = (100, 80)

log = logging.getLogger(__name__)


def recipients() -> list[str]:
    """The addresses set in the quota settings, or every active admin with an e-mail."""
    listed = QuotaSettings.current().alert_emails.split()
    if listed:
        return listed
    admins = get_user_model().objects.filter(is_active=True, groups__name="admins")
    return sorted({user.email for user in admins if user.email})


def _send(subject_template: str, body_template: str, context: dict) -> int:
    to = recipients()
    if not to:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def due_level(now=None, ledger=False, quotas=None) -> int | None:
    """The highest alert threshold the month's spend has reached, or None. `ledger` and
    `quotas`: the town's monthly Ledger (or None) and the QuotaSettings when the caller has
    already read them."""
    if ledger is False:
        ledger = Ledger.objects.filter(key=f"town:{current_month(now)}").first()
    budget = to_micros((quotas or QuotaSettings.current()).monthly_budget_eur)
    if ledger is None or budget <= 0:
        return None
    percent = ledger.used_micros * 100 / budget
    return next((level for level in LEVELS if percent >= level), None)


def check_budget(now=None, ledger=False, quotas=None) -> int | None:
    """Send the alert of the highest threshold the month's spend has just crossed (once per
    month and threshold); returns that level, or None. The periodic task's check."""
    level = due_level(now, ledger, quotas)
    return send_alert(current_month(now), level, now) if level else None


def alert_later(month: str, level: int) -> None:
    """Have the task queue send an alert not sent yet, so that the resident whose answer
    crossed the threshold never waits for the mail server (with the embedded eager queue it
    is sent at once). If the queue is unreachable, the periodic check sends it later."""
    if BudgetAlert.objects.filter(month=month, level__gte=level).exists():
        return
    try:  # no retry: with the broker down, fail at once rather than hold the answer
        send_budget_alert.apply_async((month, level), retry=False)
    except Exception as exc:  # broker down: the check every 15 minutes catches up
        log.warning("budget alert %s %% of %s not queued: %s", level, month, type(exc).__name__)


def after_answer(now, ledger, quotas) -> None:
    """After an answer is settled: queue the alert of a threshold its spend crossed."""
    level = due_level(now, ledger, quotas)
    if level:
        alert_later(current_month(now), level)


def budget_spent(now=None) -> None:
    """Queue the 100 % alert (once per month) when an answer is refused for the town's
    budget: the spend itself stays just under 100 %, as admission never lets it reach it."""
    alert_later(current_month(now), 100)


@shared_task(name="metering.send_budget_alert")
def send_budget_alert(month: str, level: int) -> int | None:
    """The queued alert of one threshold (see alert_later)."""
    return send_alert(month, level)


def send_alert(month: str, level: int, now=None) -> int | None:
    """Record and send one alert, both or neither: if the mail fails, the row is rolled
    back (and the failure logged), so that a later check sends it. Returns the level sent."""
    if BudgetAlert.objects.filter(month=month, level__gte=level).exists():
        return None
    context = {"level": level, "figures": month_figures(month, now), "site_url": settings.SITE_URL}
    try:
        with transaction.atomic():
            BudgetAlert.objects.create(month=month, level=level)
            if level == 100:  # the 80 % alert is moot now: never send it afterwards
                BudgetAlert.objects.get_or_create(month=month, level=80)
            _send("metering/email/budget_subject.txt", "metering/email/budget.txt", context)
    except IntegrityError:
        return None  # another process sends it
    except OSError:  # SMTP errors, refused connections and timeouts
        log.exception("budget alert %s %% of %s not sent; a later check will retry", level, month)
        return None
    return level


def monthly_report(month: str | None = None, now=None) -> int:
    """E-mail last month's figures (or `month`'s) to the admins; returns messages sent."""
    month = month or shift_month(current_month(now or timezone.now()), -1)
    figures = month_figures(month, now)
    context = {"figures": figures, "site_url": settings.SITE_URL}
    return _send("metering/email/report_subject.txt", "metering/email/report.txt", context)
