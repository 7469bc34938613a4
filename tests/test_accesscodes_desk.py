"""The counter desk: issuing and slips, lookup, suspend / reactivate / revoke / reissue, audit."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accesscodes import codeformat
from accesscodes.models import AccessCode, AuditEntry, Site
from metering import admission as metering
from metering.models import UsageRecord
from metering.worstcase import WorstCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def dunes(db):
    return Site.objects.create(name="Maison de quartier des Dunes", address="3 rue des Oyats")


@pytest.fixture
def desk(client, corinne, dunes):
    client.force_login(corinne)
    return client


def token_of(client, field="token") -> str:
    page = client.get("/desk/").content.decode()
    return re.search(rf'name="{field}" value="([^"]+)"', page).group(1)


def issue(client, count=1, **extra):
    if count == 1:
        data = {"count": "1", "token": token_of(client), **extra}
    else:
        data = {"batch-count": str(count), "batch-token": token_of(client, "batch-token")}
        data.update({f"batch-{k}": v for k, v in extra.items()})
    return client.post("/desk/issue", data)


def codes_on(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


@pytest.mark.security
def test_it_issues_one_code_and_shows_its_slip_once(desk, corinne, dunes, settings):
    settings.SITE_URL = "https://chat.port-lumiere.fr"
    response = issue(desk)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [plain] = codes_on(response)
    code = AccessCode.find(plain)
    assert code.site == dunes and code.issued_by == corinne and code.is_usable()
    page = response.content.decode()
    assert 'class="qr"' in page and "<svg" in page
    assert "chat.port-lumiere.fr" in page and "3 rue des Oyats" in page
    assert "pas toujours fiables" in page and "Premiers pas" in page
    assert code.label in page and "print-a6" in page
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.label) == (corinne, "issued", code.label)
    for url in ("/desk/", f"/desk/codes/{code.number}/", "/desk/audit/"):
        assert plain not in desk.get(url).content.decode()


@pytest.mark.security
def test_it_never_issues_twice_when_the_slip_page_is_reloaded(desk):
    token = token_of(desk)
    first = desk.post("/desk/issue", {"count": "1", "token": token})
    again = desk.post("/desk/issue", {"count": "1", "token": token}, follow=True)
    assert len(codes_on(first)) == 1 and codes_on(again) == []
    assert AccessCode.objects.count() == 1
    assert "déjà" in again.content.decode()


def test_it_puts_the_code_in_the_qr_address_fragment(desk, settings):
    from accesscodes import slips

    settings.SITE_URL = "https://chat.port-lumiere.fr"
    [plain] = codes_on(issue(desk))
    assert slips.signin_url(plain) == f"https://chat.port-lumiere.fr/#code={plain}"
    svg = str(slips.qr_svg(slips.signin_url(plain), "t"))
    assert svg.startswith('<svg role="img"') and " style=" not in svg


def test_it_issues_a_batch_on_a4_sheets_of_four(desk, corinne):
    response = issue(desk, count=6)
    plains = codes_on(response)
    assert len(set(plains)) == 6 and all(AccessCode.find(p) for p in plains)
    page = response.content.decode()
    assert page.count('class="sheet"') == 2 and "print-a4" in page
    assert AuditEntry.objects.filter(action="issued", detail="batch=6").count() == 6


def test_it_issues_at_most_a_hundred_codes_at_once(desk):
    response = issue(desk, count=101)
    assert response.status_code == 302 and AccessCode.objects.count() == 0


def test_it_issues_a_code_valid_until_the_end_of_a_chosen_day(desk):
    day = timezone.localdate() + dt.timedelta(days=30)
    [plain] = codes_on(issue(desk, expires_on=day.isoformat()))
    expires = timezone.localtime(AccessCode.find(plain).expires_at)
    assert expires.date() == day and expires.hour == 23
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert issue(desk, expires_on=past).status_code == 302
    assert AccessCode.objects.count() == 1


def test_it_issues_for_the_counter_chosen_today(desk, dunes):
    port = Site.objects.create(name="Mairie du Port")
    assert "Changer de guichet" in desk.get("/desk/").content.decode()
    desk.post("/desk/site", {"site": port.pk})
    [plain] = codes_on(issue(desk))
    assert AccessCode.find(plain).site == port


def test_it_looks_up_a_code_typed_from_the_slip(desk, resident, dunes):
    reservation = metering.reserve(resident, WorstCase.fixed(1000, 0))
    record = UsageRecord(code=resident, outcome="ok", input_tokens=1000)
    metering.settle(reservation, 1000, 0, [record])
    typed = " ".join(resident.plain.lower().split("-"))
    response = desk.post("/desk/lookup", {"code": typed})
    assert response["Location"] == f"/desk/codes/{resident.number}/"
    page = desk.get(response["Location"]).content.decode()
    assert resident.label in page and '<strong class="status-badge">actif<' in page
    usage = re.search(r"Questions posées</dt><dd>(\d+)<", page)
    assert usage and usage.group(1) == "1"
    assert "1000 / 200000" in page and "99 %" in page


def test_it_says_a_mistyped_lookup_looks_mistyped(desk, resident):
    response = desk.post("/desk/lookup", {"code": resident.plain[:-1] + "?"})
    assert response.status_code == 400 and "semble mal saisi" in response.content.decode()
    unknown = desk.post("/desk/lookup", {"code": codeformat.pretty(codeformat.generate())})
    assert unknown.status_code == 400 and "Aucun code" in unknown.content.decode()


def test_it_suspends_and_reactivates_a_code(desk, corinne, resident, client):
    desk.post(f"/desk/codes/{resident.number}/suspend")
    resident.refresh_from_db()
    assert resident.status == "suspended" and resident.status_changed_at
    desk.post(f"/desk/codes/{resident.number}/reactivate")
    resident.refresh_from_db()
    assert resident.status == "active"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor", "label"))
    assert actions == [
        ("suspended", corinne.pk, resident.label),
        ("reactivated", corinne.pk, resident.label),
    ]


def test_it_revokes_a_code_only_when_confirmed_and_for_good(desk, resident):
    url = f"/desk/codes/{resident.number}/"
    desk.post(url + "revoke")
    resident.refresh_from_db()
    assert resident.status == "active"
    desk.post(url + "revoke", {"confirm": "1"})
    resident.refresh_from_db()
    assert resident.status == "revoked"
    desk.post(url + "reactivate")
    resident.refresh_from_db()
    assert resident.status == "revoked"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["revoked"]


@pytest.mark.security
def test_it_signs_out_a_resident_whose_code_is_suspended(desk, resident, resident_client):
    desk.post(f"/desk/codes/{resident.number}/suspend")
    assert resident_client.get("/chat/")["Location"] == "/"


@pytest.mark.security
def test_it_asks_for_a_new_sign_in_once_a_suspended_code_is_reactivated(
    desk, resident, resident_client
):
    desk.post(f"/desk/codes/{resident.number}/suspend")
    desk.post(f"/desk/codes/{resident.number}/reactivate")
    resident.refresh_from_db()
    assert resident.is_usable()
    assert resident_client.get("/chat/")["Location"] == "/"
    again = resident_client.post("/signin", {"code": resident.plain})
    assert again["Location"] == "/chat/"
    assert resident_client.get("/chat/").status_code == 200


@pytest.mark.security
def test_it_reissues_a_lost_code_once(desk, corinne, resident):
    resident.monthly_tokens = 5000
    resident.save()
    url = f"/desk/codes/{resident.number}/reissue"
    response = desk.post(url, {"confirm": "1"})
    assert "no-store" in response["Cache-Control"]
    [plain] = codes_on(response)
    new = AccessCode.find(plain)
    resident.refresh_from_db()
    assert resident.status == "revoked" and new.replaces == resident and new.is_usable()
    assert new.monthly_tokens == 5000
    assert AccessCode.find(resident.plain) == resident  # the old code no longer signs in
    log = list(AuditEntry.objects.order_by("id").values_list("action", "label", "detail"))
    assert log == [
        ("revoked", resident.label, f"replaced_by={new.label}"),
        ("reissued", new.label, f"replaces={resident.label}"),
    ]
    again = desk.post(url, {"confirm": "1"})
    assert again["Location"] == f"/desk/codes/{new.number}/"
    assert AccessCode.objects.count() == 2


def test_it_shows_admins_a_filterable_audit_log(client, adele, corinne, resident):
    other = AccessCode.issue()[0]
    AuditEntry.record(corinne, "issued", resident)
    AuditEntry.record(corinne, "suspended", resident)
    AuditEntry.record(adele, "revoked", other)
    client.force_login(adele)
    page = client.get("/desk/audit/").content.decode()
    assert page.count("<tr>") == 4  # header + 3 entries
    assert "corinne" in page and resident.label in page
    by_action = client.get("/desk/audit/", {"action": "suspended"}).content.decode()
    assert by_action.count("<tr>") == 2
    by_code = client.get("/desk/audit/", {"number": other.number}).content.decode()
    assert by_code.count("<tr>") == 2 and "adele" in by_code
    by_actor = client.get("/desk/audit/", {"actor": "cor"}).content.decode()
    assert by_actor.count("<tr>") == 3
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get("/desk/audit/", {"since": tomorrow}).content.decode().count("<tr>") == 0


@pytest.mark.security
def test_it_keeps_residents_out_of_the_audit_log(client, resident):
    client.post("/signin", {"code": resident.plain})
    client.post("/signin", {"code": codeformat.pretty(codeformat.generate())})
    client.post("/signout")
    assert not AuditEntry.objects.exists()


# --- Reviewer's defects: counter choice, stale forms, history text, expiry ---------------------


@pytest.mark.usefixtures("english")
def test_it_refuses_to_issue_until_the_counter_is_chosen_and_keeps_the_form_usable(desk):
    port = Site.objects.create(name="Mairie du Port")
    token = token_of(desk)
    refused = desk.post("/desk/issue", {"count": "1", "token": token}, follow=True)
    assert codes_on(refused) == [] and AccessCode.objects.count() == 0
    assert "choose the counter where you work today" in refused.content.decode()
    desk.post("/desk/site", {"site": port.pk})
    [plain] = codes_on(desk.post("/desk/issue", {"count": "1", "token": token}))
    assert AccessCode.find(plain).site == port


@pytest.mark.usefixtures("english")
def test_it_tells_an_out_of_date_form_apart_from_one_already_used(desk):
    from accesscodes.desk import KEPT_TOKENS

    stale = token_of(desk, "batch-token")
    for _load in range(KEPT_TOKENS):
        desk.get("/desk/")
    day = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    data = {"batch-count": "7", "batch-token": stale, "batch-expires_on": day}
    response = desk.post("/desk/issue", data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [("/desk/", 302)] and AccessCode.objects.count() == 0
    assert f'name="batch-expires_on" id="id_batch-expires_on" value="{day}"' in page
    assert "This form is out of date: nothing was issued. Please try again." in page
    assert "already issued" not in page and 'name="batch-count"' in page and 'value="7"' in page
    fresh = re.search(r'name="batch-token" value="([^"]+)"', page).group(1)
    assert len(codes_on(desk.post("/desk/issue", {**data, "batch-token": fresh}))) == 7
    unknown = desk.post("/desk/issue", {"count": "1", "token": "never-given"}, follow=True)
    assert "out of date" in unknown.content.decode() and AccessCode.objects.count() == 7
    used = desk.post("/desk/issue", {**data, "batch-token": fresh}, follow=True)
    assert "already issued" in used.content.decode() and AccessCode.objects.count() == 7
    assert 'value="7"' not in desk.get("/desk/").content.decode()  # kept for one page only


@pytest.mark.usefixtures("english")
def test_it_stores_reissue_details_without_words_and_shows_them_in_the_staff_language(
    desk, adele, resident, client
):
    new = AccessCode.find(
        codes_on(desk.post(f"/desk/codes/{resident.number}/reissue", {"confirm": "1"}))[0]
    )
    details = set(AuditEntry.objects.values_list("detail", flat=True))
    assert details == {f"replaced_by={new.label}", f"replaces={resident.label}"}
    AuditEntry.record(adele, "suspended", resident, "reissued as N° 0042")  # an older entry
    old_page = desk.get(f"/desk/codes/{resident.number}/").content.decode()
    assert f"replaced by {new.label}" in old_page and "reissued as N° 0042" in old_page
    new_page = desk.get(f"/desk/codes/{new.number}/").content.decode()
    assert f"replaces {resident.label}" in new_page and "replaces=" not in new_page
    client.force_login(adele)
    audit = client.get("/desk/audit/").content.decode()
    assert f"replaced by {new.label}" in audit and "replaced_by=" not in audit
    assert "reissued as N° 0042" in audit


@pytest.mark.usefixtures("english")
def test_it_shows_a_code_past_its_end_date_as_expired_on_the_desk(desk):
    past = timezone.now() - dt.timedelta(hours=1)
    code = AccessCode.issue(expires_at=past)[0]
    page = desk.get("/desk/").content.decode()
    row = re.search(rf"{code.label}</a></td>(.*?)</tr>", page, re.S).group(1)
    assert "expired" in row and "active" not in row
    desk.post(f"/desk/codes/{code.number}/reactivate")
    shown = desk.get(f"/desk/codes/{code.number}/").content.decode()
    assert f"code {code.label} is expired" in shown


@pytest.mark.usefixtures("english")
def test_it_reissues_with_the_same_end_date_and_refuses_once_it_is_past(desk, resident):
    later = timezone.now() + dt.timedelta(days=10)
    resident.expires_at = later
    resident.save()
    url = f"/desk/codes/{resident.number}/reissue"
    [plain] = codes_on(desk.post(url, {"confirm": "1"}))
    new = AccessCode.find(plain)
    assert new.expires_at == later
    new.expires_at = timezone.now() - dt.timedelta(minutes=1)
    new.save()
    refused = desk.post(f"/desk/codes/{new.number}/reissue", {"confirm": "1"}, follow=True)
    page = refused.content.decode()
    assert codes_on(refused) == [] and AccessCode.objects.count() == 2
    assert "issue a new code with a new end date" in page
    assert f'action="/desk/codes/{new.number}/reissue"' not in page
    new.refresh_from_db()
    assert new.status == "active" and not AuditEntry.objects.filter(code=new, action="revoked")
