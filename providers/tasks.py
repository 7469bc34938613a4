"""The e-mail that tells admins answers are falling back (queued by providers.health)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from core.roles import ADMINS

log = logging.getLogger("providers")


def admin_addresses() -> list[str]:
    admins = get_user_model().objects.filter(
        Q(groups__name=ADMINS) | Q(is_superuser=True), is_active=True
    )
    return sorted({user.email for user in admins if user.email})


@shared_task(name="providers.mail_fallback")
def mail_fallback(names: list[str]) -> int:
    """One message to every admin with an e-mail address: which providers failed and where to
    look. Throttled upstream (health.FALLBACK_MAIL_SECONDS); a failed send is only logged."""
    to = admin_addresses()
    if not to:
        return 0
    context = {
        "names": ", ".join(sorted(set(names))),
        "site_url": settings.SITE_URL,
        "TOWN_NAME": settings.TOWN_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("providers/email/fallback_subject.txt", context).strip()
        body = render_to_string("providers/email/fallback.txt", context)
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:  # SMTP refused or timed out: the banner still shows it
        log.exception("the fallback e-mail to admins was not sent")
        return 0
