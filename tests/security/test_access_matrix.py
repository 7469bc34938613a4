"""Access-control matrix: every URL of the resolver x every persona, GET and POST, from one table.

The routes are read from arcachat.urls (included apps and the Django admin too), so a URL added
later without a rule in tests/security/access.py fails `test_it_has_a_rule_for_every_url`. Path
parameters are filled with real objects made for each request. A refused POST must leave every
table as it was. Every HTML page also carries the security headers (CSP, X-Frame-Options,
nosniff, Referrer-Policy).
"""

import pytest

from embed.middleware import is_embedded
from embed.origins import allowed, frame_ancestors
from tests.security.access import (
    AUDIENCES,
    PERSONAS,
    ROUTES,
    RULES,
    UNCHECKED,
    concrete,
    expected,
    outcome,
    rule_for,
    send,
    values_for,
)
from tests.security.conftest import snapshot

pytestmark = [
    pytest.mark.security,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
    pytest.mark.filterwarnings("ignore:The default scheme will be changed"),  # DocumentAdmin
]


def header_problems(response, path: str) -> list[str]:
    problems = []
    if is_embedded(path):  # framed by the allowed sites only, on every response
        if frame_ancestors(allowed()) not in response.get("Content-Security-Policy", ""):
            problems.append("the embed CSP does not list exactly the allowed sites")
        if response.has_header("X-Frame-Options"):
            problems.append("X-Frame-Options on an embed route")
        return problems
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if "default-src" not in response.get("Content-Security-Policy", ""):
        problems.append("no CSP")
    html = response.get("Content-Type", "").startswith("text/html")
    if html and response.status_code == 200:
        if response.get("X-Frame-Options") != "DENY":
            problems.append("X-Frame-Options is not DENY")
        if response.get("Referrer-Policy") != "same-origin":
            problems.append("no same-origin Referrer-Policy")
        if "frame-ancestors 'none'" not in response["Content-Security-Policy"]:
            problems.append("CSP lets the page be framed")
    return problems


def test_it_has_a_rule_for_every_url():
    missing = [str(route) for route in ROUTES if rule_for(route) is None]
    assert missing == [], f"URLs without an access rule in RULES: {missing}"


def test_it_has_no_rule_for_a_url_that_is_gone():
    routes = {route.route for route in ROUTES}
    assert sorted(set(RULES) - routes) == []


def test_it_walks_the_included_apps_and_the_admin():
    routes = {route.route for route in ROUTES}
    assert {"desk/codes/<int:number>/revoke", "comms/upload/", "admin/"} <= routes
    assert "admin/providers/providerconfig/<path:object_id>/change/" in routes
    assert len(routes) > 90


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_it_answers_every_persona_as_the_table_says(route, world, client_for):
    rule = rule_for(route)
    assert rule is not None, f"no access rule for {route}"
    failures = []
    for persona in PERSONAS:
        allowed = persona in AUDIENCES[rule.who]
        methods = ["GET"]
        if rule.post is not None and not (allowed and rule.post == UNCHECKED):
            methods.append("POST")
        for method in methods:
            client = client_for(persona)
            path = concrete(route, values_for(route, world))
            before = snapshot() if method == "POST" and not allowed else None
            response = send(client, method, path, rule)
            got, wanted = outcome(response), expected(rule, persona, method)
            if got not in wanted:
                failures.append(f"{persona} {method} {path}: {got}, expected {sorted(wanted)}")
            if before is not None and snapshot() != before:
                failures.append(f"{persona} {method} {path}: refused, yet the database changed")
            problems = header_problems(response, path)
            failures += [f"{persona} {method} {path}: {p}" for p in problems]
    assert failures == []


def test_it_keeps_the_django_admin_to_admins_with_staff_status(client_for, adele, world):
    adele.is_staff = False
    adele.save()
    assert outcome(client_for("adele").get("/admin/")) == "admin-login"
    adele.is_staff = True
    adele.save()
    assert outcome(client_for("adele").get("/admin/")) == "ok"
