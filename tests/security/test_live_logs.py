"""What a town's logs hold (issue 13, item 6): the shipped uvicorn command at LOG_LEVEL=DEBUG.

A resident on a client address of its own (127.0.0.9) signs in, mistypes, asks a question
that the provider refuses with an error quoting it, then one it answers; everything the
process wrote (stdout and stderr) must hold neither that address, nor the question, nor the
code.
"""

import json

import pytest

from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import IsolatedDatabase

from .live import ShippedApp, csrf_of, from_address, try_code

pytestmark = pytest.mark.security
RESIDENT = "127.0.0.9"
QUESTION = "Ma voisine Odile Zarkowski peut-elle garer sa caravane rue des Mouettes ?"
SETUP = """
from accesscodes.models import AccessCode
from providers.models import ProviderConfig
ProviderConfig.objects.create(name="Vendeur", kind="openai_compatible", model="fake",
                              base_url={url!r}, order=1, timeout=5)
print(AccessCode.issue()[1])
"""


def quoting_the_question(fake):
    """The vendor's error body repeats the question, as some vendors' filters do."""

    def error(status, message):
        asked = fake.requests[-1]["json"]["messages"][-1]["content"]
        text = asked if isinstance(asked, str) else json.dumps(asked, ensure_ascii=False)
        return {"error": {"message": f"Refused: {text}", "type": "invalid_request_error"}}

    return error


def ask(client, message: str):
    token = csrf_of(client.get("/chat/"))
    # The resident saw the warning about the name and chose to send the question as written.
    body = json.dumps({"message": message, "language": "fr", "personal_data": "kept"})
    headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    return client.post("/chat/ask", content=body, headers=headers)


def test_it_writes_no_client_address_question_or_code_at_debug_level():
    with FakeServer("openai", Script(status=400)) as vendor, IsolatedDatabase() as db:
        vendor.wire.error = quoting_the_question(vendor)
        code = db.shell(SETUP.format(url=vendor.base_url)).split()[-1]
        with ShippedApp(db, LOG_LEVEL="DEBUG") as app:
            with from_address(app.url, RESIDENT) as resident:
                mistyped = code[:-1] + ("X" if code[-1] != "X" else "Y")
                assert try_code(resident, mistyped).status_code == 400
                assert try_code(resident, code).status_code == 302
                refused_then_extracts = ask(resident, QUESTION)
                vendor.script = Script(text="Oui, sur le parking du port.")
                answered = ask(resident, QUESTION + " Et le dimanche ?")
                resident.get("/no-such-page/")
            logged = app.output()
    assert refused_then_extracts.status_code == answered.status_code == 200
    assert '"generated": true' in answered.text and len(vendor.requests) == 2
    assert "provider Vendeur failed" in logged  # the app did log, at DEBUG
    for secret in (RESIDENT, "Zarkowski", "caravane", "Mouettes", code, code.replace("-", "")):
        assert secret not in logged, f"{secret!r} in the log:\n{logged[-3000:]}"
