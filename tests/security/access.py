"""The access table: every route of arcachat.urls, who may use it, and how to call it.

ROUTES is read from the URL resolver (included apps and the Django admin too); RULES says, for
each route, which personas may use it and what GET and POST answer them. test_access_matrix.py
checks every cell; test_csrf_sessions.py reuses the table to POST to every route.
"""

import json
import re
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from accesscodes.models import AccessCode
from embed.middleware import PREFIX as EMBED
from embed.models import AllowedSite
from knowledge.models import Chunk, Document, WebSite
from providers.models import ProviderConfig
from townhall.models import AnswerCard, TownRequest

# "framed": a resident signed in inside a town site's panel (the embed routes' own cookies).
PERSONAS = ("anonymous", "resident", "framed", "corinne", "marius", "aline", "adele")


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, prefixes joined: "desk/codes/<int:number>/suspend"
    callback: object

    def __str__(self) -> str:
        return self.route


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.callback)


ROUTES = list(_walk(get_resolver().url_patterns))

# Who may use a route. Anyone else is refused: residents' pages send to the landing page,
# staff pages send anonymous visitors and residents to the staff login and other staff get a
# 403, the Django admin sends everyone but admins (staff status) to its own login.
AUDIENCES = {
    "public": set(PERSONAS),
    "resident": {"resident"},
    "framed": {"framed"},
    "staff": {"corinne", "marius", "aline", "adele"},
    "counter": {"corinne", "adele"},
    "comms": {"marius", "adele"},
    "agents": {"aline", "adele"},
    "admins": {"adele"},
    "admin-site": {"adele"},
}
UNCHECKED = frozenset()  # the audience's own outcome is not asserted (refusals still are)


@dataclass(frozen=True)
class Rule:
    who: str
    get: str | frozenset = "ok"  # outcome(s) of a GET for the audience
    post: str | frozenset | None = None  # outcome(s) of a POST for the audience; None: no POST
    method_first: bool = False  # the method is checked before the audience: GET is 405 for all
    refused: str | None = None  # outcome for the others, when not the audience's usual one
    data: dict = field(default_factory=dict)


COUNTER_POST = Rule("counter", get="405", post="self")
COMMS_POST = Rule("comms", get="405", post="self")
AGENTS_POST = Rule("agents", get="405", post="self")
ADMINS_POST = Rule("admins", get="405", post="self")
# Residents' JSON endpoints: the method first, then 401 for anyone not signed in with a code.
# The request in the path belongs to another code (values_for): 404, the same as no request.
RESIDENT_JSON_POST = Rule("resident", get="405", post="400", method_first=True, refused="401")
RULES = {
    "": Rule("public"),
    "signin": Rule("public", get="landing", post="400", data={"code": ""}),
    "signout": Rule("public", post="landing", method_first=True),
    "chat/": Rule("resident"),
    "chat/ask": Rule("resident", post="ok", method_first=True, refused="401"),
    # JSON endpoints of the chat page: an empty form post is not a question to check nor a vote.
    "chat/check": Rule("resident", post="400", method_first=True, refused="401"),
    "chat/feedback": Rule("resident", post="400", method_first=True, refused="401"),
    "requests/": Rule("resident"),
    "requests/<int:request_id>/delete": Rule("resident", post="404", method_first=True),
    "requests/api/": Rule("resident", refused="401"),
    "requests/api/preview": RESIDENT_JSON_POST,  # a form post is not the JSON it reads: 400
    "requests/api/send": RESIDENT_JSON_POST,
    "requests/api/<int:request_id>/delete": Rule(
        "resident", post="404", method_first=True, refused="401"
    ),
    "healthz": Rule("public"),
    "staff/": Rule("staff"),
    "staff/login/": Rule("public", post="ok", data={"username": "x", "password": "y"}),
    "staff/logout/": Rule("public", post="landing", method_first=True),
    # Staff accounts (core.people): admins only; each action comes back to the list.
    "staff/people/": Rule("admins", post="ok"),  # the empty form comes back with errors
    "staff/people/<int:pk>/roles": ADMINS_POST,
    "staff/people/<int:pk>/password": ADMINS_POST,
    "staff/people/<int:pk>/active": ADMINS_POST,
    # Providers (providers.views): admins only; <pk> is a provider, or "offline" (built in).
    "providers/": Rule("admins"),
    "providers/add/": Rule("admins"),
    "providers/add/<slug:key>/": Rule("admins", post="ok"),  # the empty form comes back
    "providers/order/": Rule("admins", get="405", post="ok"),  # JSON: the new order
    "providers/<int:pk>/edit/": Rule("admins", post="ok"),
    "providers/<str:pk>/use/": ADMINS_POST,
    "providers/<str:pk>/move/": ADMINS_POST,
    "providers/<str:pk>/toggle/": ADMINS_POST,
    "providers/<str:pk>/test/": ADMINS_POST,
    "desk/": Rule("counter"),
    "desk/site": COUNTER_POST,
    "desk/issue": Rule("counter", get="405", post="self", data={"count": "1", "token": "x"}),
    "desk/lookup": Rule("counter", post="400"),
    "desk/codes/<int:number>/": Rule("counter"),
    "desk/codes/<int:number>/suspend": COUNTER_POST,
    "desk/codes/<int:number>/reactivate": COUNTER_POST,
    "desk/codes/<int:number>/revoke": COUNTER_POST,
    "desk/codes/<int:number>/reissue": COUNTER_POST,
    "desk/audit/": Rule("admins"),
    "spend/": Rule("admins"),
    "spend/export.csv": Rule("admins"),
    "spend/quotas/": Rule("admins", post="ok"),
    "spend/codes/<int:number>/": Rule("admins", post="ok"),
    "spend/codes/<int:number>/clear-flag": Rule("admins", post="self", method_first=True),
    "comms/": Rule("comms"),
    "comms/documents/status.json": Rule("comms"),
    "comms/upload/": Rule("comms", post="ok"),
    "comms/documents/<int:pk>/": Rule("comms"),
    "comms/documents/<int:pk>/retire/": Rule("comms", post="self"),  # GET asks to confirm
    "comms/documents/<int:pk>/delete/": COMMS_POST,
    "comms/documents/<int:pk>/restore/": COMMS_POST,
    "comms/upload/guess": Rule("comms", get="405", post="400"),  # no file posted: plain JSON 400
    "comms/prompt/restore": Rule("comms", get="405", post="self", data={"default": "1"}),
    "comms/prompt/": Rule("comms", post="ok"),
    "comms/playground/": Rule("comms", post="ok"),
    "comms/feedback/": Rule("comms"),
    "comms/sites/": Rule("comms"),
    "comms/sites/add/": Rule("comms", post="ok"),
    "comms/sites/<int:site_id>/": Rule("comms"),
    "comms/sites/<int:site_id>/edit/": Rule("comms", post="ok"),
    "comms/sites/<int:site_id>/status.json": Rule("comms"),
    "comms/sites/<int:site_id>/start": COMMS_POST,
    "comms/sites/<int:site_id>/pause": COMMS_POST,
    "comms/sites/<int:site_id>/resume": COMMS_POST,
    "comms/sites/<int:site_id>/cancel": COMMS_POST,
    # The residents' privacy notice is public; the admins' page, its forms and exports are not.
    "privacy/": Rule("public"),
    "privacy/notice.pdf": Rule("public"),
    "privacy/staff/": Rule("admins"),
    "privacy/staff/record": Rule("admins", get="405", post="self", data={"legal_basis": "x"}),
    "privacy/staff/place": Rule("admins", get="405", post="self", data={"place": "FR"}),
    "privacy/staff/record.docx": Rule("admins"),
    "privacy/staff/record.pdf": Rule("admins"),
    "townhall/queue/": Rule("agents"),
    "townhall/queue/<int:request_id>/": Rule("agents"),
    "townhall/queue/<int:request_id>/draft": AGENTS_POST,
    "townhall/queue/<int:request_id>/discard-draft": AGENTS_POST,
    "townhall/queue/<int:request_id>/reply": Rule(
        "agents", get="405", post="self", data={"reply": "Bonjour, voici la réponse."}
    ),
    "townhall/queue/<int:request_id>/close": AGENTS_POST,
    "townhall/queue/<int:request_id>/service": AGENTS_POST,
    "townhall/log/": Rule("admins"),
    "townhall/cards/": Rule("comms"),
    "townhall/cards/new/": Rule("comms", post="ok"),  # the empty form comes back with errors
    "townhall/cards/<int:card_id>/withdraw": COMMS_POST,
    "townhall/insight/": Rule("comms"),
    # Town documents are public once READY (knowledge.views.may_read_document).
    "documents/<int:pk>/file": Rule("public"),
    "documents/<int:pk>/passages/<int:chunk_id>": Rule("public"),
    "i18n/setlang/": Rule("public", get="landing", post="landing", data={"language": "en"}),
    # The admin's login page sends everyone to the staff sign-in (and its lockout).
    "admin/login/": Rule("public", get="login", post="login"),
    # The staff's embedding page: comms see it, admins change the list of allowed sites.
    "widget/": Rule("comms"),
    "widget/sites/add": Rule("admins", get="405", post="self", data={"origin": "https://a.fr"}),
    "widget/sites/<int:site>/remove": Rule("admins", get="405", post="self"),
    # Inside a town site's frame: sign-in page for everyone, the question for a resident
    # signed in there only (one signed in on the main site is not, and the reverse).
    "embed/": Rule("public"),
    "embed/signin": Rule("public", get="self", post="400", data={"code": ""}),
    "embed/signout": Rule("public", post="self", method_first=True),
    "embed/ask": Rule("framed", post="ok", method_first=True, refused="401"),
    "embed/check": Rule("framed", post="400", method_first=True, refused="401"),
    "embed/feedback": Rule("framed", post="400", method_first=True, refused="401"),
    # Its redirect is translated through the embed URL map: "/" becomes "/embed/".
    "embed/i18n/setlang/": Rule("public", get="landing", post="self", data={"language": "en"}),
    # Without an allowed site's Origin header, embed.js is told no.
    "embed/button.json": Rule("public", get="403"),
    # Non-staff asking to log out of the admin are sent to its index; admins must POST.
    "admin/logout/": Rule(
        "public", get=frozenset({"self", "405"}), post=frozenset({"self", "landing"})
    ),
    "admin/autocomplete/": Rule("admin-site", get="403", post=UNCHECKED),
    "admin/accesscodes/accesscode/add/": Rule("admin-site", get="403", post=UNCHECKED),
    "admin/accesscodes/accesscode/<path:object_id>/delete/": Rule(
        "admin-site", get="403", post=UNCHECKED
    ),
    "admin/accesscodes/auditentry/add/": Rule("admin-site", get="403", post=UNCHECKED),
    "admin/accesscodes/auditentry/<path:object_id>/delete/": Rule(
        "admin-site", get="403", post=UNCHECKED
    ),
    "admin/r/<path:content_type_id>/<path:object_id>/": Rule(
        "admin-site", get="404", post=UNCHECKED
    ),
    "admin/(?P<url>.*)$": Rule("admin-site", get="404", post=UNCHECKED),
}
# Every other page of the Django admin (a model or a view added later included): admins
# only; POSTs are checked for the refused personas only.
ADMIN_SITE = Rule("admin-site", get=frozenset({"ok", "self"}), post=UNCHECKED)
# An object's bare address only redirects to its change page (judged on its own route).
TO_CHANGE_PAGE = Rule("admin-site", get="self", post=UNCHECKED)
# Staff accounts and groups: the admins group holds no auth permission, only superusers do.
ACCOUNTS = Rule("admin-site", get="403", post=UNCHECKED)


def rule_for(route: Route) -> Rule | None:
    if route.route in RULES:
        return RULES[route.route]
    if route.route.startswith("admin/") and route.route.endswith("/<path:object_id>/"):
        return TO_CHANGE_PAGE
    if route.route.startswith("admin/auth/"):
        return ACCOUNTS
    return ADMIN_SITE if route.route.startswith("admin/") else None


def expected(rule: Rule, persona: str, method: str) -> frozenset:
    if method == "GET" and rule.method_first:
        return frozenset({"405"})
    if persona in AUDIENCES[rule.who]:
        wanted = rule.get if method == "GET" else rule.post
        return frozenset({wanted}) if isinstance(wanted, str) else wanted
    if rule.refused:
        return frozenset({rule.refused})
    if rule.who in ("resident", "framed"):
        return frozenset({"landing"})
    if rule.who == "admin-site":
        return frozenset({"admin-login"})
    return frozenset({"login" if persona in ("anonymous", "resident", "framed") else "403"})


def outcome(response) -> str:
    """What a response amounts to: ok, self, landing, login, admin-login, offsite or a status."""
    if 200 <= response.status_code < 300:
        return "ok"
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith("/staff/login/"):
            return "login"
        if location.startswith("/admin/login/"):
            return "admin-login"
        if location == "/":
            return "landing"
        return "self" if location.startswith("/") and not location.startswith("//") else "offsite"
    return str(response.status_code)


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete(route: Route, values: dict) -> str:
    """The route with every parameter filled; LookupError names a parameter with no value."""

    def fill(match):
        name = match.group(1) or match.group(2)
        if name not in values:
            raise LookupError(f"no value for <{name}> of {route}: add one to values_for()")
        return str(values[name])

    return "/" + PARAM.sub(fill, route.route).replace("^", "").replace("$", "")


def ready_document(title="Horaires de la piscine") -> Document:
    doc = Document(title=title, status=Document.Status.READY, original_name="piscine.txt")
    doc.file.save("piscine.txt", ContentFile(b"La piscine ouvre a 10 h."), save=True)
    Chunk.objects.create(document=doc, position=0, text="La piscine ouvre a 10 h.")
    return doc


def values_for(route: Route, adele) -> dict:
    """Path parameters, with new objects each time: a request may change or delete them."""
    doc = ready_document()
    request = TownRequest.objects.create(
        code=AccessCode.issue()[0], question="Où jeter un frigo ?", due_on="2027-01-04"
    )
    card = AnswerCard.objects.create(
        question="Où jeter un frigo ?", answer="À la déchetterie.", valid_until="2099-01-01"
    )
    values = {
        "number": AccessCode.issue()[0].number,
        "request_id": request.pk,
        "card_id": card.pk,
        "pk": doc.pk,
        "chunk_id": doc.chunks.get().pk,
        "id": adele.pk,
        "content_type_id": ContentType.objects.get_for_model(Document).pk,
        "object_id": doc.pk,
        "app_label": "knowledge",
        "url": "no-such-page/",
        "site_id": WebSite.objects.create(name="Ville", start_url="https://port-lumiere.fr/").pk,
        "site": AllowedSite.objects.create(origin=f"https://www{doc.pk}.port-lumiere.fr").pk,
    }
    if route.route.endswith("/restore/"):  # only a retired document can be restored
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.RETIRED)
    if route.route.startswith("providers/"):
        name = f"Albert {uuid.uuid4().hex[:6]}"
        config = ProviderConfig.objects.create(name=name, kind="openai_compatible", order=5)
        values.update(pk=config.pk, key="mistral")
    if route.route.startswith("staff/people/"):  # another staff member, never adele herself
        other = get_user_model().objects.create_user(f"agent-{uuid.uuid4().hex[:8]}")
        values["pk"] = other.pk
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None and "object_id" in route.route:
        values["object_id"] = model_admin.model._default_manager.order_by("pk").first().pk
    return values


def send(client, method: str, path: str, rule: Rule):
    if method == "GET":
        response = client.get(path)
    elif path in ("/chat/ask", f"{EMBED}ask"):
        body = json.dumps({"message": "Quand ouvre la piscine ?", "history": []})
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.post(path, rule.data)
    if response.streaming:
        b"".join(response)  # run the stream to its end, as a browser would
    return response
