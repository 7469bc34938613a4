"""Periodic tasks of metering: stale reservations, sharing flags, budget check, monthly report."""

from celery import shared_task

from . import admission, alerts, overuse


@shared_task(name="metering.release_stale_reservations")
def release_stale_reservations() -> int:
    return admission.release_stale()


@shared_task(name="metering.flag_codes")
def flag_codes() -> int:
    return len(overuse.flag_codes())


@shared_task(name="metering.check_budget")
def check_budget() -> int | None:
    return alerts.check_budget()


@shared_task(name="metering.monthly_report")
def monthly_report() -> int:
    return alerts.monthly_report()
