"""The counter desk: issue codes, print slips, look codes up, suspend, reactivate, revoke, reissue.

Counter staff use it, and admins too (they may stand in at a counter); the comms team gets a
403 and anyone not signed in as staff (residents included) is sent to the staff login.
A plain code exists only in the one response that prints its slip, which no cache may keep
(Cache-Control: no-store). Each issuing form carries a one-time token so that reloading that
page cannot issue the codes twice; a token the desk no longer knows (a tab left open while
many other pages were loaded) only asks staff to try again. With several counters, nothing is
issued until staff have chosen theirs. Every action on a code writes an audit entry, whose
details are stored without words (see history.py).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, COUNTER, role_required

from . import history, slips
from .forms import IssueForm, LookupForm, SiteForm
from .models import AccessCode, AuditEntry, Site

desk_staff = role_required(COUNTER, ADMINS)

# Panels other apps add to the page of a code (metering adds "This month"): functions of the
# code giving (template name, context), registered in their AppConfig.ready().
code_panels: list = []

SITE_SESSION_KEY = "desk_site_id"
TOKENS_SESSION_KEY = "desk_issue_tokens"
USED_TOKENS_SESSION_KEY = "desk_used_tokens"
KEPT_TOKENS = 30  # two per desk page: the last 15 pages loaded
KEPT_USED_TOKENS = 50
RETRY_SESSION_KEY = "desk_retry_form"  # what staff typed in a form that was out of date
FRESH, USED, UNKNOWN = "fresh", "used", "unknown"  # what take_token found
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


def take_token(request, token: str) -> str:
    """Use a form's token: FRESH the first time, then USED; UNKNOWN when the desk never gave
    it or has forgotten it (so nothing says whether that form issued anything)."""
    tokens = request.session.get(TOKENS_SESSION_KEY, [])
    used = request.session.get(USED_TOKENS_SESSION_KEY, [])
    if token in tokens:
        tokens.remove(token)
        request.session[TOKENS_SESSION_KEY] = tokens
        request.session[USED_TOKENS_SESSION_KEY] = [*used, token][-KEPT_USED_TOKENS:]
        return FRESH
    return USED if token in used else UNKNOWN


def _desk_context(request, single=None, batch=None, **extra) -> dict:
    """The desk page; `single` or `batch` keeps what staff typed in that form (new token)."""
    site = current_site(request)
    single = {"count": 1, **(single or {}), "token": new_token(request)}
    batch = {"count": 20, **(batch or {}), "token": new_token(request)}
    recent = AccessCode.objects.select_related("site")[:15]
    return {
        "site": site,
        "sites": Site.objects.all(),
        "site_form": SiteForm(initial={"site": site}),
        "single_form": IssueForm(initial=single),
        "batch_form": IssueForm(initial=batch, prefix="batch"),
        "lookup_form": LookupForm(),
        "recent": [(code, code.current_status_label()) for code in recent],
        "slip_address": slips.site_address(slips.base_url(request)),
        "address_mismatch": slips.address_mismatch(request),
        **extra,
    }


@desk_staff
@require_GET
def desk(request):
    retry = request.session.pop(RETRY_SESSION_KEY, None) or {}
    kept = {}
    if retry.get("form") in ("single", "batch"):
        day = retry.get("expires_on")
        kept[retry["form"]] = {
            "count": retry.get("count"),
            "expires_on": dt.date.fromisoformat(day) if day else None,
        }
    return render(request, "accesscodes/desk.html", _desk_context(request, **kept))


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
    base = slips.base_url(request)
    printed = [slips.slip_for(code, plain, title, base) for code, plain in issued]
    context = {
        "slips": printed,
        "sheets": [printed[i : i + PER_SHEET] for i in range(0, len(printed), PER_SHEET)],
        "batch": len(issued) > 1,
        "site_address": slips.site_address(base),
        "site_url": base + "/",
        "replaced": replaced,
    }
    return render(request, "accesscodes/slips.html", context)


@desk_staff
@require_POST
@never_cache
def issue(request):
    site = current_site(request)
    if site is None and Site.objects.exists():  # several counters, none chosen yet
        messages.error(
            request,
            _("No code was issued: first choose the counter where you work today, then try again."),
        )
        return redirect("accesscodes:desk")
    prefix = "batch" if "batch-count" in request.POST else None
    form = IssueForm(request.POST, prefix=prefix)
    if not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        messages.error(request, _("No code was issued: %(errors)s") % {"errors": errors})
        return redirect("accesscodes:desk")
    token = take_token(request, form.cleaned_data["token"])
    if token == UNKNOWN:
        messages.error(
            request, _("This form is out of date: nothing was issued. Please try again.")
        )
        day = form.cleaned_data["expires_on"]
        request.session[RETRY_SESSION_KEY] = {
            "form": prefix or "single",
            "count": form.cleaned_data["count"],
            "expires_on": day.isoformat() if day else None,
        }
        return redirect("accesscodes:desk")
    if token == USED:
        messages.error(
            request,
            _(
                "These codes were already issued and shown once; they cannot be shown again. "
                "If a slip was not printed, look its code up by number and reissue it."
            ),
        )
        return redirect("accesscodes:desk")
    count = form.cleaned_data["count"]
    issued = []
    with transaction.atomic():
        for _n in range(count):
            code, plain = AccessCode.issue(site=site, by=request.user, expires_at=form.expires_at())
            detail = history.detail(history.BATCH, count) if count > 1 else ""
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
        "status_label": code.current_status_label(),
        "past_end": code.past_end(),
        "panels": [panel(code) for panel in code_panels],
        "replaced_by": AccessCode.objects.filter(replaces=code).first(),
        "can": {name: code.status in allowed for name, (allowed, *_rest) in TRANSITIONS.items()},
        "history": history.with_details(code.audit.all()[:20]),
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
            % {"label": code.label, "status": code.current_status_label()},
        )
    else:
        code.set_status(new_status)
        AuditEntry.record(request.user, audit_action, code)
        messages.success(
            request,
            _("Code %(label)s is now %(status)s.")
            % {"label": code.label, "status": code.current_status_label()},
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
        if old.past_end():  # a replacement keeps the end date: it must not extend access
            messages.error(
                request,
                _(
                    "Nothing was done: code %(label)s reached its end date on %(date)s, so it "
                    "cannot be reissued. Issue a new code with a new end date instead."
                )
                % {"label": old.label, "date": date_format(timezone.localtime(old.expires_at))},
            )
            return redirect("accesscodes:code", number=number)
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Please tick the box to confirm."))
            return redirect("accesscodes:code", number=number)
        code, plain = AccessCode.issue(
            site=current_site(request) or old.site,
            by=request.user,
            expires_at=old.expires_at,
            replaces=old,
            monthly_tokens=old.monthly_tokens,
            monthly_eur=old.monthly_eur,
            daily_tokens=old.daily_tokens,
        )
        if old.status != Status.REVOKED:
            old.set_status(Status.REVOKED)
            replaced_by = history.detail(history.REPLACED_BY, code.label)
            AuditEntry.record(request.user, Action.REVOKED, old, replaced_by)
        replaces = history.detail(history.REPLACES, old.label)
        AuditEntry.record(request.user, Action.REISSUED, code, replaces)
    return render_slips(request, [(code, plain)], replaced=old)
