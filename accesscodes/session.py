"""The resident's session: who is signed in with which code, and the guard of resident pages.

A resident is never a Django user. Signing in stores the code's primary key under
`SESSION_KEY` in a fresh session (new key: no session fixation, new CSRF token) with the
code's `session_epoch`; the code itself is never put in the session. Every status change of a
code (suspended, reactivated, revoked, reissued) moves its epoch on, which ends all its
sessions at their next request: a reactivated code needs a new sign-in. A blocked code keeps
its key in the session so that pages can tell a blocked resident from a signed-out one.
"""

from __future__ import annotations

import secrets
from functools import wraps

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import AccessCode

SESSION_KEY = "resident_code_id"
EPOCH_KEY = "resident_code_epoch"  # the code's session_epoch at sign-in
# A random id per sign-in: the chat page keeps the conversation in the tab under it, so the
# next resident signing in on the same computer never sees the previous one's turns.
CONVERSATION_KEY = "conversation_id"
_CACHE_ATTR = "_arcachat_resident"


def _usable(code: AccessCode | None, epoch) -> AccessCode | None:
    """The code, if usable and still in the status it had at this session's sign-in (a
    session from before the epoch existed counts as epoch 0)."""
    if code is None or not code.is_usable() or code.session_epoch != (epoch or 0):
        return None
    return code


def get_resident(request) -> AccessCode | None:
    """The usable code of the signed-in resident, or None (signed out, ended or blocked)."""
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    pk = request.session.get(SESSION_KEY)
    code = AccessCode.objects.filter(pk=pk).first() if pk else None
    code = _usable(code, request.session.get(EPOCH_KEY))
    setattr(request, _CACHE_ATTR, code)
    return code


async def aget_resident(request) -> AccessCode | None:
    """`get_resident` for async views (the ASGI chat endpoint)."""
    pk = await request.session.aget(SESSION_KEY)
    if not pk:
        return None
    code = await AccessCode.objects.filter(pk=pk).afirst()
    return _usable(code, await request.session.aget(EPOCH_KEY))


def is_blocked(request) -> bool:
    """Signed in with a code that can no longer be used (suspended, revoked, expired). A
    session ended by a status change of a code that is usable again is signed out instead."""
    pk = request.session.get(SESSION_KEY)
    if not pk or get_resident(request) is not None:
        return False
    code = AccessCode.objects.filter(pk=pk).first()
    return code is not None and not code.is_usable()


def sign_in(request, code: AccessCode, remember: bool) -> None:
    """Start a resident session for `code`: a new session key, weeks long if `remember`."""
    request.session.cycle_key()
    rotate_token(request)  # a CSRF token seen before the sign-in is worth nothing after it
    request.session[SESSION_KEY] = code.pk
    request.session[EPOCH_KEY] = code.session_epoch
    request.session[CONVERSATION_KEY] = secrets.token_urlsafe(12)
    # 0 = until the browser is closed (a shared computer); else SESSION_COOKIE_AGE (weeks).
    request.session.set_expiry(settings.SESSION_COOKIE_AGE if remember else 0)
    setattr(request, _CACHE_ATTR, code)


def conversation_id(request) -> str:
    """This sign-in's conversation id (made now for a session older than the id)."""
    if CONVERSATION_KEY not in request.session:
        request.session[CONVERSATION_KEY] = secrets.token_urlsafe(12)
    return request.session[CONVERSATION_KEY]


def sign_out(request) -> None:
    """Forget everything about this browser's session (and give it a new key)."""
    request.session.flush()
    setattr(request, _CACHE_ATTR, None)


def _why_refused(request) -> tuple[str, str]:
    """("inactive" | "signed_out", the plain sentence saying so)."""
    if is_blocked(request):
        return "inactive", _(
            "Your access code is no longer active. Please visit the counter of a "
            "neighbourhood house: the staff will help you."
        )
    return "signed_out", _("Please sign in with the access code printed on your slip.")


def _refusal(request):
    reason, message = _why_refused(request)
    (messages.error if reason == "inactive" else messages.info)(request, message)
    return redirect("landing")


def _api_refusal(request) -> JsonResponse:
    reason, message = _why_refused(request)
    if reason == "inactive":
        return JsonResponse(
            {"error": "code_inactive", "message": message, "redirect": "/"}, status=403
        )
    message = _("You are signed out. Please sign in again with your access code.")
    return JsonResponse({"error": "signed_out", "message": message, "redirect": "/"}, status=401)


def _resident_or_refusal(request) -> JsonResponse | None:
    """Set `request.resident` to the usable code and return None, or return the refusal."""
    request.resident = get_resident(request)
    return _api_refusal(request) if request.resident is None else None


def resident_required(view):
    """For resident pages: let signed-in residents with a usable code through; send anyone
    else to "/" with a message."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(request, *args, **kwargs):
            if await aget_resident(request) is None:
                return await sync_to_async(_refusal)(request)
            return await view(request, *args, **kwargs)

        return async_wrapper

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if get_resident(request) is None:
            return _refusal(request)
        return view(request, *args, **kwargs)

    return wrapper


def resident_api(view):
    """For JSON endpoints of residents: the view finds the usable code in `request.resident`;
    a signed-out resident gets 401 and a blocked one 403, as JSON with a plain sentence and
    where to go (like healthchecks' `authorize`)."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(request, *args, **kwargs):
            refusal = await sync_to_async(_resident_or_refusal)(request)
            return refusal or await view(request, *args, **kwargs)

        return async_wrapper

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _resident_or_refusal(request) or view(request, *args, **kwargs)

    return wrapper
