"""Staff roles (Django groups) and the decorator that guards staff pages.

Four roles: counter staff issue and manage access codes, the comms team manages the town's
documents, the system prompt and the answer cards, agents reply to the questions residents
send to the town hall (townhall app), admins choose providers, prices, quotas and see spend
(and may stand in for any of the others where the pages say so).
Residents are not Django users at all: they hold an anonymous access code (accesscodes app).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

COUNTER = "counter"
COMMS = "comms"
AGENTS = "agents"
ADMINS = "admins"
ROLES = (COUNTER, COMMS, AGENTS, ADMINS)

# Model permissions each role gets on our apps (app_label -> actions), granted after migrate.
ROLE_PERMISSIONS = {
    COUNTER: {"accesscodes": ("view", "add", "change")},
    COMMS: {"knowledge": ("view", "add", "change", "delete")},
    AGENTS: {"townhall": ("view", "change")},
    ADMINS: {
        "accesscodes": ("view", "add", "change", "delete"),
        "knowledge": ("view", "add", "change", "delete"),
        "providers": ("view", "add", "change", "delete"),
        "townhall": ("view", "add", "change", "delete"),
    },
}


def roles_of(user) -> frozenset[str]:
    """The roles a user holds; a superuser holds them all, an anonymous user none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    cached = getattr(user, "_arcachat_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        cached = frozenset(names)
        user._arcachat_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    held = roles_of(user)
    return any(role in held for role in roles)


def role_required(*roles: str):
    """Let through staff holding any of `roles`; send anonymous users to the staff login,
    and answer 403 to anyone else (including residents signed in with a code)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("This page is for another staff role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def grant_role_permissions(**kwargs) -> None:
    """post_migrate hook: give each role group its model permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, actions in apps.items():
            perms = Permission.objects.filter(
                content_type__app_label=app_label,
                codename__regex=rf"^({'|'.join(actions)})_",
            )
            group.permissions.add(*perms)
