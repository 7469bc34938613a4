"""The Celery application: eager in-process by default, Redis-brokered with REDIS_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

app = Celery("arcachat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
