"""Periodic tasks of the access codes: forget past days' fingerprint salts, delete expired
sessions."""

from celery import shared_task

from . import sharing
from .sessions import SessionStore


@shared_task(name="accesscodes.forget_old_salts")
def forget_old_salts() -> int:
    return sharing.forget_old_salts()


@shared_task(name="accesscodes.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """An expired session can no longer sign anyone in; its row is deleted here (daily)."""
    SessionStore.clear_expired()
