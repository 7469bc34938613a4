"""Template context shared by every page: the town's name, the staff roles and sections, and
whether the page is shown in a town site's frame."""

from django.conf import settings

from core.navigation import sections_for
from core.roles import roles_of


def town(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    return {
        "TOWN_NAME": settings.TOWN_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        # Inside a town site's frame (embed.middleware): the chat laid out for the panel.
        "embedded": getattr(request, "embedded", False),
        "staff_roles": roles,
        "staff_sections": sections_for(user, request.path) if roles else [],
    }
