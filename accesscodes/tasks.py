"""Periodic task of the access codes: forget the past days' fingerprint salts."""

from celery import shared_task

from . import sharing


@shared_task(name="accesscodes.forget_old_salts")
def forget_old_salts() -> int:
    return sharing.forget_old_salts()
