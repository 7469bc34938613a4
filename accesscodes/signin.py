"""Resident sign-in and sign-out with an access code, posted from the landing page.

Every refusal re-renders the landing page with one plain sentence: a code that looks
mistyped, a code that matches nothing, a code that is suspended, revoked or expired (go to a
counter), or a client locked out after too many wrong codes (see core.lockout).
"""

from __future__ import annotations

import hmac

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import lockout

from . import codeformat, session
from .models import AccessCode

MAX_TYPED = 60
# The Permissions-Policy of the pages with the sign-in form: the camera allowed to the page
# itself, to read the slip's QR code (static/js/qrscan.js); the browser still asks first.
SIGNIN_PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=()"


def with_signin_form(response):
    """`response`, a page holding the sign-in form, with the camera allowed for its QR code."""
    response["Permissions-Policy"] = SIGNIN_PERMISSIONS
    return response


def blocked_message(status: str) -> str:
    """What a resident is told about a code that exists but cannot be used."""
    if status == AccessCode.Status.SUSPENDED:
        first = _("This access code is suspended.")
    elif status == AccessCode.Status.EXPIRED:
        first = _("This access code has expired.")
    else:
        first = _("This access code is no longer valid.")
    return " ".join(
        [
            first,
            _(
                "Please visit the counter of a neighbourhood house or of the town hall: "
                "the staff will help you."
            ),
        ]
    )


def _refuse(request, message: str, status: int, typed: str = ""):
    context = {
        "resident": None,
        "signin_error": message,
        "signin_typed": typed[:MAX_TYPED],
        "signin_remember": request.POST.get("remember") == "1",
    }
    response = render(request, "landing.html", context, status=status)
    add_never_cache_headers(response)  # the typed code must not be kept by any cache
    return with_signin_form(response)


def signin(request):
    """POST: check the typed code and start the resident's session."""
    if request.method != "POST":
        return redirect("landing")
    client = lockout.client_of(request)
    wait = lockout.locked_for(client)
    if wait:  # refused without even looking at the code
        return _refuse(request, lockout.locked_message(wait), 429)

    typed = request.POST.get("code", "")[:MAX_TYPED]
    if not typed.strip():
        return _refuse(request, _("Please type the access code printed on your slip."), 400)
    try:
        canonical = codeformat.canonical(typed)
    except codeformat.MistypedCode:
        message = _(
            "This code looks mistyped. Please check each character against your slip: "
            "16 characters in groups of four, then one more."
        )
        return _refuse(request, message, 400, typed)

    expected = codeformat.digest(canonical)
    code = AccessCode.objects.filter(digest=expected).first()
    if code is None or not hmac.compare_digest(code.digest, expected):
        wait = lockout.record_failure(request, client)
        if wait:
            return _refuse(request, lockout.locked_message(wait), 429)
        message = _(
            "This code was not recognised. Please check it against your slip. If it still "
            "does not work, please visit a counter."
        )
        return _refuse(request, message, 400, typed)

    status = code.current_status()
    if status != AccessCode.Status.ACTIVE:
        return _refuse(request, blocked_message(status), 403)

    session.sign_in(request, code, remember=request.POST.get("remember") == "1")
    return redirect("chat")


@require_POST
def signout(request):
    """POST: end the resident's session on this device."""
    session.sign_out(request)
    messages.success(request, _("You are signed out. See you soon!"))
    return redirect("landing")
