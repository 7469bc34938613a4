"""ArcaChat project package: settings, URLs, Celery app, landing and chat pages, health check."""

from .celery import app as celery_app

__all__ = ["celery_app"]
