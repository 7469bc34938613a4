"""Tasks of the metering: stale reservations, sharing flags, salts, budget alerts, the report."""

from celery import shared_task

from . import alerts, metering, sharing


@shared_task(name="accesscodes.release_stale_reservations")
def release_stale_reservations() -> int:
    return metering.release_stale()


@shared_task(name="accesscodes.flag_codes")
def flag_codes() -> int:
    return len(sharing.flag_codes())


@shared_task(name="accesscodes.forget_old_salts")
def forget_old_salts() -> int:
    return sharing.forget_old_salts()


@shared_task(name="accesscodes.check_budget")
def check_budget() -> int | None:
    return alerts.check_budget()


@shared_task(name="accesscodes.send_budget_alert")
def send_budget_alert(month: str, level: int) -> int | None:
    return alerts.send_alert(month, level)


@shared_task(name="accesscodes.monthly_report")
def monthly_report() -> int:
    return alerts.monthly_report()
