"""Template context shared by every page: the town's name and the staff roles of the user."""

from django.conf import settings

from core.roles import roles_of


def town(request):
    user = getattr(request, "user", None)
    return {
        "TOWN_NAME": settings.TOWN_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "staff_roles": roles_of(user) if user is not None else frozenset(),
    }
