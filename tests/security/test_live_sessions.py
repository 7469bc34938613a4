"""Sessions from outside (issue 13, item 5 and "Also"): a live process, real HTTP, real cookies.

Suspending a code ends its sessions, reactivating it does not bring them back (a new sign-in
is needed); a staff session lasts STAFF_SESSION_HOURS, not the residents' SESSION_DAYS; the
CSRF token changes at a resident's sign-in.
"""

import json

import pytest

from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_code, try_password

pytestmark = pytest.mark.security
QUESTION = json.dumps({"message": "Quand ouvre la piscine ?", "language": "fr"})


@pytest.fixture(scope="module")
def app():
    with IsolatedDatabase() as db:
        add_persona(db, "corinne")
        issued = db.shell(
            "from accesscodes.models import AccessCode\n"
            "for _ in range(2):\n"
            "    code, plain = AccessCode.issue()\n"
            "    print(code.number, plain)"
        ).split()
        with AppProcesses(db, WARM_UP="0") as live:
            live.code_number, live.code, _number, live.other_code = issued[-4:]
            yield live


def ask(resident) -> tuple[int, str]:
    """POST a question as the chat page does; (status, error code of a refusal)."""
    token = resident.cookies.get("csrftoken")
    page = resident.get("/chat/", follow_redirects=False)
    if page.status_code == 200:
        token = csrf_of(page)
    answer = resident.post(
        "/chat/ask",
        content=QUESTION,
        headers={"Content-Type": "application/json", "X-CSRFToken": token or ""},
    )
    error = answer.json().get("error", "") if answer.status_code != 200 else ""
    return answer.status_code, error


def staff_action(staff, number: int, action: str, **data) -> None:
    page = staff.get(f"/desk/codes/{number}/")
    token = csrf_of(page)
    done = staff.post(f"/desk/codes/{number}/{action}", data={"csrfmiddlewaretoken": token, **data})
    assert done.status_code in (200, 302), done.status_code


def test_it_ends_a_code_s_sessions_when_suspended_and_keeps_them_ended_after(app):
    url = app.urls[0]
    with from_address(url) as resident, from_address(url) as staff:
        assert try_code(resident, app.code).status_code == 302
        assert ask(resident)[0] == 200
        assert try_password(staff, "corinne", STAFF_PASSWORD).status_code == 302

        staff_action(staff, app.code_number, "suspend")
        assert ask(resident) == (403, "code_inactive")
        staff_action(staff, app.code_number, "reactivate")
        page = resident.get("/chat/")
        assert page.status_code == 302 and page.headers["location"] == "/"
        assert ask(resident) == (401, "signed_out")  # a new sign-in is needed

        assert try_code(resident, app.code).status_code == 302
        assert ask(resident)[0] == 200
        staff_action(staff, app.code_number, "reissue", confirm="1")
        assert ask(resident) == (403, "code_inactive")


def test_it_gives_staff_a_session_of_hours_not_weeks(app):
    with from_address(app.urls[0]) as staff:
        signed_in = try_password(staff, "corinne", STAFF_PASSWORD)
    assert signed_in.status_code == 302
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith("arcachat_session=")
    )
    assert "Max-Age=28800" in cookie  # STAFF_SESSION_HOURS=8, not SESSION_DAYS=42


def test_it_gives_a_resident_a_new_csrf_token_at_sign_in(app):
    with from_address(app.urls[0]) as resident:
        landing = resident.get("/")
        before, form_token = resident.cookies["csrftoken"], csrf_of(landing)
        signed_in = try_code(resident, app.other_code)
        assert signed_in.status_code == 302
        assert resident.cookies["csrftoken"] != before
        # The token a page showed before the sign-in no longer works.
        stale = resident.post("/signout", data={"csrfmiddlewaretoken": form_token})
    assert stale.status_code == 403
