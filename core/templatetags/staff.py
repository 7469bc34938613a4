"""Template tags of the staff pages: the banners other apps register (core.navigation)."""

from django import template

from core.navigation import banners_for

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_banners(context) -> list[dict]:
    request = context.get("request")
    return banners_for(request) if request is not None else []
