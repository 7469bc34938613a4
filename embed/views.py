"""The embedding page of the staff (the snippet; admins also list the allowed sites), and the
check embed.js makes before it shows the button on a town site's page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accesscodes import slips
from core.roles import ADMINS, COMMS, has_role, role_required

from . import origins
from .forms import DEFAULT_BACKGROUND, DEFAULT_TEXT, AllowedSiteForm, SnippetForm
from .models import AllowedSite

# How long a browser may reuse the check's answer for one town site (embed.js asks on every
# page view of the town's site); a site removed from the list loses its frame at once anyway.
CHECK_MAX_AGE = 300


def default_label() -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the town site's language
        return _("Ask a question")


def snippet_form(request) -> SnippetForm:
    initial = {
        "position": "right",
        "label": default_label(),
        "background": DEFAULT_BACKGROUND,
        "color": DEFAULT_TEXT,
    }
    return SnippetForm({**initial, **request.GET.dict()} if request.GET else initial)


def snippet(data: dict, base: str) -> str:
    """The <script> tag to paste, for ArcaChat at `base`. embed.js is named without the
    static files' hash, so a pasted snippet follows every update of the script."""
    source = f"{base}{settings.STATIC_URL}js/embed.js"
    attributes = "".join(
        f' data-{name}="{escape(data[name])}"'
        for name in ("position", "label", "background", "color")
    )
    return f'<script src="{escape(source)}"{attributes} async></script>'


def secure(url: str) -> bool:
    """Browsers keep the frame's cookies only for an https address (or one of this machine)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or origins.is_local(parts.hostname or "")


def page_context(request, site_form=None) -> dict:
    form = snippet_form(request)
    base = slips.base_url(request)  # SITE_URL, else the address this page is served on
    return {
        "sites": AllowedSite.objects.all(),
        "may_edit": has_role(request.user, ADMINS),
        "site_form": site_form or AllowedSiteForm(),
        "form": form,
        "snippet": snippet(form.cleaned_data, base) if form.is_valid() else "",
        "secure_site": secure(base),
        "site_url": base,
    }


@role_required(COMMS, ADMINS)
@require_GET
def page(request):
    return render(request, "embed/page.html", page_context(request))


@role_required(ADMINS)
@require_POST
def add_site(request):
    form = AllowedSiteForm(request.POST)
    if not form.is_valid():
        return render(request, "embed/page.html", page_context(request, form), status=400)
    AllowedSite.objects.create(origin=form.cleaned_data["origin"])
    messages.success(
        request,
        _("%(origin)s may now show the assistant.") % {"origin": form.cleaned_data["origin"]},
    )
    return redirect("embed:page")


@role_required(ADMINS)
@require_POST
def remove_site(request, site):
    site = get_object_or_404(AllowedSite, pk=site)
    site.delete()
    messages.success(
        request, _("%(origin)s can no longer show the assistant.") % {"origin": site.origin}
    )
    return redirect("embed:page")


@require_GET
def check(request):
    """GET from embed.js on a town site's page: the button's sentences, readable by that page
    (CORS) only if its origin is allowed. Otherwise 403 without CORS: the script shows nothing."""
    origin = request.headers.get("Origin", "")
    if origin not in origins.allowed():
        response = JsonResponse({"error": "not_allowed"}, status=403)
    else:
        response = JsonResponse(
            {
                "label": _("Ask a question"),
                "title": _("%(TOWN_NAME)s – town assistant") % {"TOWN_NAME": settings.TOWN_NAME},
                "close": _("Close"),
            }
        )
        response["Access-Control-Allow-Origin"] = origin
        response["Cache-Control"] = f"max-age={CHECK_MAX_AGE}"
    response["Vary"] = "Origin, Accept-Language"
    return response
