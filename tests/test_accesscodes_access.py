"""Who may use each desk page: anonymous visitors, residents, counter, comms and admin staff.

Counter staff and admins use the desk (admins may stand in at a counter); only admins read
the audit log. Anyone not signed in as staff (residents too) goes to the staff login, the
comms team gets a 403, and a refused request changes nothing.
"""

import pytest
from django.test import Client

from accesscodes.models import AccessCode, AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.security]

DESK_PAGES = [
    ("get", "/desk/"),
    ("post", "/desk/site"),
    ("post", "/desk/issue"),
    ("get", "/desk/lookup"),
    ("post", "/desk/lookup"),
    ("get", "/desk/codes/{n}/"),
    ("post", "/desk/codes/{n}/suspend"),
    ("post", "/desk/codes/{n}/reactivate"),
    ("post", "/desk/codes/{n}/revoke"),
    ("post", "/desk/codes/{n}/reissue"),
]
ADMIN_PAGES = [("get", "/desk/audit/")]
ALL_PAGES = DESK_PAGES + ADMIN_PAGES

# persona -> pages it may use
ALLOWED = {
    "anonymous": [],
    "resident": [],
    "corinne": DESK_PAGES,
    "marius": [],
    "adele": ALL_PAGES,
}


@pytest.fixture
def as_persona(request, resident):
    def make(name):
        if name == "anonymous":
            return Client()
        if name == "resident":
            return request.getfixturevalue("resident_client")
        client = Client()
        client.force_login(request.getfixturevalue(name))
        return client

    return make


def data_for(url):
    if url.endswith(("/revoke", "/reissue")):
        return {"confirm": "1"}
    if url.endswith("/issue"):
        return {"count": "1", "token": "x"}
    return {}


@pytest.mark.parametrize("persona", list(ALLOWED))
@pytest.mark.parametrize("method, url", ALL_PAGES)
def test_it_guards_every_desk_page(as_persona, resident, persona, method, url):
    client = as_persona(persona)
    path = url.format(n=resident.number)
    codes_before = AccessCode.objects.count()
    response = getattr(client, method)(path, data_for(path))
    login = response.status_code == 302 and response["Location"].startswith("/staff/login/")
    if (method, url) in ALLOWED[persona]:
        assert response.status_code in (200, 302, 400), response.status_code
        assert not login
        return
    if persona in ("anonymous", "resident"):
        assert login, (response.status_code, response.get("Location"))
    else:
        assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.status == AccessCode.Status.ACTIVE
    assert AccessCode.objects.count() == codes_before
    assert not AuditEntry.objects.exists()


def test_it_links_the_audit_log_for_admins_only(as_persona):
    assert "/desk/audit/" in as_persona("adele").get("/desk/").content.decode()
    assert "/desk/audit/" not in as_persona("corinne").get("/desk/").content.decode()


def test_it_keeps_the_django_admin_read_only_for_the_audit_log(as_persona, corinne):
    AuditEntry.record(corinne, AuditEntry.Action.ISSUED, AccessCode.issue()[0])
    admin = as_persona("adele")
    listing = admin.get("/admin/accesscodes/auditentry/")
    assert listing.status_code == 200 and "corinne" in listing.content.decode()
    assert admin.get("/admin/accesscodes/auditentry/add/").status_code == 403
    entry = AuditEntry.objects.get()
    assert admin.post(f"/admin/accesscodes/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.count() == 1
    assert admin.get("/admin/accesscodes/accesscode/add/").status_code == 403
