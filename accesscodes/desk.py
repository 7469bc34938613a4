"""The counter desk: issue codes, print slips, look codes up, suspend, reactivate, revoke, reissue.

Counter staff use it, and admins too (they may stand in at a counter); the comms team gets a
403 and anyone not signed in as staff (residents included) is sent to the staff login.
A plain code exists only in the one response that prints its slip, which no cache may keep
(Cache-Control: no-store). Each issuing form carries a one-time token so that reloading that
page cannot issue the codes twice. Every action on a code writes an audit entry.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from arcachat.roles import ADMINS, COUNTER, role_required

from . import metering, slips
from .forms import IssueForm, LookupForm, SiteForm
from .models import AccessCode, AuditEntry, Site

desk_staff = role_required(COUNTER, ADMINS)

SITE_SESSION_KEY = "desk_site_id"
TOKENS_SESSION_KEY = "desk_issue_tokens"
KEPT_TOKENS = 10
PER_SHEET = 4  # four A6 slips on an A4 sheet
Status = AccessCode.Status
Action = AuditEntry.Action

# action name -> (statuses it applies to, new status, audit action, confirmation needed)
TRANSITIONS = {
    "suspend": ({Status.ACTIVE}, Status.SUSPENDED, Action.SUSPENDED, False),
    "reactivate": ({Status.SUSPENDED}, Status.ACTIVE, Action.REACTIVATED, False),
    "revoke": ({Status.ACTIVE, Status.SUSPENDED}, Status.REVOKED, Action.REVOKED, True),
}


def current_site(request) -> Site | None:
    """The counter chosen for this staff session; the only site when there is just one."""
    site_id = request.session.get(SITE_SESSION_KEY)
    site = Site.objects.filter(pk=site_id).first() if site_id else None
    if site is None:
        only = list(Site.objects.all()[:2])
        site = only[0] if len(only) == 1 else None
    return site


def new_token(request) -> str:
    """A one-time token for an issuing form (a few are kept: several tabs may be open)."""
    token = secrets.token_urlsafe(16)
    tokens = [*request.session.get(TOKENS_SESSION_KEY, []), token][-KEPT_TOKENS:]
    request.session[TOKENS_SESSION_KEY] = tokens
    return token


def take_token(request, token: str) -> bool:
    tokens = request.session.get(TOKENS_SESSION_KEY, [])
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[TOKENS_SESSION_KEY] = tokens
    return True


def _desk_context(request, **extra) -> dict:
    site = current_site(request)
    return {
        "site": site,
        "sites": Site.objects.all(),
        "site_form": SiteForm(initial={"site": site}),
        "single_form": IssueForm(initial={"count": 1, "token": new_token(request)}),
        "batch_form": IssueForm(initial={"count": 20, "token": new_token(request)}, prefix="batch"),
        "lookup_form": LookupForm(),
        "recent": AccessCode.objects.select_related("site")[:15],
        **extra,
    }


@desk_staff
@require_GET
def desk(request):
    return render(request, "accesscodes/desk.html", _desk_context(request))


@desk_staff
@require_POST
def choose_site(request):
    form = SiteForm(request.POST)
    if form.is_valid():
        request.session[SITE_SESSION_KEY] = form.cleaned_data["site"].pk
        messages.success(
            request, _("Codes will be issued for %(site)s.") % {"site": form.cleaned_data["site"]}
        )
    return redirect("accesscodes:desk")


def render_slips(request, issued: list[tuple[AccessCode, str]], replaced=None):
    """The page that shows new codes once, ready to print: one A6 slip or A4 sheets."""
    title = _("QR code: scan it to open the town assistant with your code filled in")
    printed = [slips.slip_for(code, plain, title) for code, plain in issued]
    context = {
        "slips": printed,
        "sheets": [printed[i : i + PER_SHEET] for i in range(0, len(printed), PER_SHEET)],
        "batch": len(issued) > 1,
        "site_address": slips.site_address(),
        "site_url": slips.signin_url("").split("#")[0],
        "replaced": replaced,
    }
    return render(request, "accesscodes/slips.html", context)


@desk_staff
@require_POST
@never_cache
def issue(request):
    prefix = "batch" if "batch-count" in request.POST else None
    form = IssueForm(request.POST, prefix=prefix)
    if not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        messages.error(request, _("No code was issued: %(errors)s") % {"errors": errors})
        return redirect("accesscodes:desk")
    if not take_token(request, form.cleaned_data["token"]):
        messages.error(
            request,
            _(
                "These codes were already issued and shown once; they cannot be shown again. "
                "If a slip was not printed, look its code up by number and reissue it."
            ),
        )
        return redirect("accesscodes:desk")
    count, site = form.cleaned_data["count"], current_site(request)
    issued = []
    with transaction.atomic():
        for _n in range(count):
            code, plain = AccessCode.issue(site=site, by=request.user, expires_at=form.expires_at())
            detail = f"batch of {count}" if count > 1 else ""
            AuditEntry.record(request.user, Action.ISSUED, code, detail)
            issued.append((code, plain))
    return render_slips(request, issued)


@desk_staff
@never_cache
def lookup(request):
    """Type a code from a slip (POST, so that it stays out of addresses and logs)."""
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            code = AccessCode.find(form.cleaned_data["code"])
            if code is not None:
                return redirect("accesscodes:code", number=code.number)
            form.add_error("code", _("No code matches. Check it against the slip."))
        status = 400
    return render(request, "accesscodes/lookup.html", {"form": form}, status=status)


@desk_staff
@require_GET
def code_detail(request, number: int):
    code = get_object_or_404(
        AccessCode.objects.select_related("site", "issued_by", "replaces"), number=number
    )
    context = {
        "code": code,
        "status": code.current_status(),
        "status_label": Status(code.current_status()).label,
        "usage": metering.usage_summary(code),
        "replaced_by": AccessCode.objects.filter(replaces=code).first(),
        "can": {name: code.status in allowed for name, (allowed, *_rest) in TRANSITIONS.items()},
        "history": code.audit.all()[:20],
    }
    return render(request, "accesscodes/code.html", context)


@desk_staff
@require_POST
def change_status(request, number: int, action: str):
    code = get_object_or_404(AccessCode, number=number)
    allowed, new_status, audit_action, confirm = TRANSITIONS[action]
    if confirm and request.POST.get("confirm") != "1":
        messages.error(request, _("Please tick the box to confirm."))
    elif code.status not in allowed:
        messages.error(
            request,
            _("Nothing changed: code %(label)s is %(status)s.")
            % {"label": code.label, "status": code.get_status_display()},
        )
    else:
        code.set_status(new_status)
        AuditEntry.record(request.user, audit_action, code)
        messages.success(
            request,
            _("Code %(label)s is now %(status)s.")
            % {"label": code.label, "status": code.get_status_display()},
        )
    return redirect("accesscodes:code", number=number)


@desk_staff
@require_POST
@never_cache
def reissue(request, number: int):
    """Revoke a code and print a new one in its place (lost or damaged slip)."""
    with transaction.atomic():
        old = get_object_or_404(AccessCode.objects.select_for_update(), number=number)
        newer = AccessCode.objects.filter(replaces=old).first()
        if newer is not None:
            messages.error(
                request,
                _("Code %(old)s was already replaced by %(new)s.")
                % {"old": old.label, "new": newer.label},
            )
            return redirect("accesscodes:code", number=newer.number)
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Please tick the box to confirm."))
            return redirect("accesscodes:code", number=number)
        keep_expiry = old.expires_at if old.expires_at and old.expires_at > timezone.now() else None
        code, plain = AccessCode.issue(
            site=current_site(request) or old.site,
            by=request.user,
            expires_at=keep_expiry,
            replaces=old,
            monthly_tokens=old.monthly_tokens,
            monthly_eur=old.monthly_eur,
            daily_tokens=old.daily_tokens,
        )
        if old.status != Status.REVOKED:
            old.set_status(Status.REVOKED)
            AuditEntry.record(request.user, Action.REVOKED, old, f"reissued as {code.label}")
        AuditEntry.record(request.user, Action.REISSUED, code, f"replaces {old.label}")
    return render_slips(request, [(code, plain)], replaced=old)
