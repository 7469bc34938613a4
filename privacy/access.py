"""Who can see what: each table's staff pages and the roles that open them, read from the URL
resolver and the views' role guards (core.roles.role_required), and the Django admin's
registry with the roles' model permissions (core.roles.ROLE_PERMISSIONS)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext_lazy as _

from core.navigation import SECTIONS
from core.roles import ADMINS, AGENTS, COMMS, COUNTER, ROLE_PERMISSIONS, ROLES, role_required

from .tables import Table

ROLE_NAMES = {
    COUNTER: _("Counter staff"),
    COMMS: _("Comms team"),
    AGENTS: _("Agents"),
    ADMINS: _("Admins"),
}
# Roles whose members are given "staff status", the Django admin's door (README: "admins also
# need staff status"); superusers see every table the admin site shows.
ADMIN_SITE_ROLES = (ADMINS,)
_GUARD = role_required()(lambda request: None).__code__


@dataclass(frozen=True)
class Page:
    name: str  # "accesscodes:code"
    route: str  # "desk/codes/<int:number>/"
    roles: frozenset[str]  # empty: no role guard (public, or residents only)


def guarded_roles(view) -> frozenset[str]:
    """The roles `role_required` lets into `view` (found through the decorators' wrappers)."""
    while view is not None:
        if getattr(view, "__code__", None) is _GUARD:
            return frozenset(inspect.getclosurevars(view).nonlocals["roles"])
        view = getattr(view, "__wrapped__", None)
    return frozenset()


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = namespace + pattern.name
            yield Page(name, prefix + str(pattern.pattern), guarded_roles(pattern.callback))


def pages() -> dict[str, Page]:
    return {page.name: page for page in _walk(get_resolver().url_patterns)}


def section_title(route: str, known: dict[str, Page]):
    """The staff section a page belongs to (the longest section address it starts with)."""
    found, length = None, -1
    for name, title, _purpose, _roles in SECTIONS:
        prefix = known[name].route if name in known else ""
        if ("/" + route).startswith("/" + prefix) and len(prefix) > length:
            found, length = title, len(prefix)
    return found


def in_admin_site(label: str) -> bool:
    """The Django admin shows the model: registered, or inline on a registered model's page."""
    for model, model_admin in admin.site._registry.items():
        inlines = [inline.model._meta.label for inline in model_admin.inlines]
        if label == model._meta.label or label in inlines:
            return True
    return False


def seen_by(table: Table, known: dict[str, Page] | None = None) -> dict[str, list]:
    """role -> the section titles where its members see this table ("superuser" included)."""
    known = pages() if known is None else known
    found: dict[str, list] = {role: [] for role in (*ROLES, "superuser")}
    for name in table.shown_on:
        page = known[name]
        title = section_title(page.route, known)
        for role in (*page.roles, "superuser"):
            if title not in found[role]:
                found[role].append(title)
    if in_admin_site(table.model):
        site = section_title("admin/", known)
        for role in ADMIN_SITE_ROLES:
            if "view" in ROLE_PERMISSIONS.get(role, {}).get(table.app_label, ()):
                found[role].append(site)
        found["superuser"].append(site)
    return found
