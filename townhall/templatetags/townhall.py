"""Template tags for resident pages: the notice of new replies, the link to "My requests"
and the "ask the town hall" widget (townhall/_ask_town.html), which the chat page includes."""

from django import template
from django.conf import settings

from accesscodes.session import get_resident

from ..widget import config, unread_replies

register = template.Library()


def _unread(context) -> int:
    request = context.get("request")
    return unread_replies(get_resident(request)) if request is not None else 0


@register.inclusion_tag("townhall/_notice.html", takes_context=True)
def townhall_notice(context):
    """ "The town hall replied to your request": shown until the resident has read it."""
    return {"unread": _unread(context)}


@register.inclusion_tag("townhall/_menu_link.html", takes_context=True)
def townhall_menu_link(context):
    """The link to "My requests", with the number of new replies."""
    return {"unread": _unread(context)}


@register.inclusion_tag("townhall/_ask_town.html", takes_context=True)
def townhall_ask_town(context):
    """The dialog that shows what will be sent to the town hall, its settings and script."""
    return {"townhall_config": config(), "csrf_token": context.get("csrf_token")}


@register.simple_tag
def townhall_keep_days() -> int:
    """How many days after the reply a request's texts are kept (for the privacy note)."""
    return settings.TOWNHALL_KEEP_DAYS
