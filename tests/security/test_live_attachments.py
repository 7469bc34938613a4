"""Hostile PDF attachments from outside (issue 13, item 2): a live process, real HTTP.

A 30 KB PDF of 3 pages of text operators that draw nothing (tests/security/hostile.py) took
20 s of the web process's CPU per question; 8 at once held every request thread. Now each PDF
is read in a child process with hard limits (arcachat/pdftext.py): the web process itself
spends next to no CPU on it (read from /proc, so the check holds on a busy machine too), the
hostile files are refused plainly, the landing page keeps answering, and a sound PDF is still
read. The time targets (2 s per attachment, the landing page's p95) are measured by
bench/hostile_attachments.py (docs/benchmarks.md).
"""

import asyncio
import base64
import json
import os
import time

import pytest

from tests.support.documents import blank_text_pdf, make_pdf
from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase
from tests.support.liveclient import Resident, run_async, sign_in

from .live import from_address

pytestmark = pytest.mark.security
SETUP = """
from accesscodes.models import AccessCode
from providers.models import ProviderConfig
ProviderConfig.objects.create(name="Vision", kind="openai_compatible", model="fake",
                              base_url={url!r}, order=1, timeout=5, supports_images=True)
print(AccessCode.issue()[1])
"""


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process (not of its children), from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def question_with(pdf: bytes) -> bytes:
    data = "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    body = {"message": "Que dit ce courrier ?", "attachment": {"kind": "file", "data": data}}
    return json.dumps(body).encode()


async def ask_raw(resident: Resident, body: bytes) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, reply = await resident.connection.post("/chat/ask", body, resident.headers)
    content = b"".join([piece async for piece in resident.connection.body_pieces(reply)])
    data = json.loads(content) if status != 200 else {"stream": content.decode()}
    return status, data, time.monotonic() - started


async def warm_up(url: str, session: dict) -> int:
    """Loads the personal-data model (WARM_UP is off) so the CPU measured is the PDF's alone."""
    resident = Resident(url, session)
    try:
        body = json.dumps({"text": "Que dit ce courrier ?", "language": "fr"}).encode()
        status, reply = await resident.connection.post("/chat/check", body, resident.headers)
        [piece async for piece in resident.connection.body_pieces(reply)]
        return status
    finally:
        await resident.close()


async def attack(url: str, session: dict, body: bytes, count: int):
    residents = [Resident(url, session) for _ in range(count)]
    try:
        return await asyncio.gather(*(ask_raw(r, body) for r in residents))
    finally:
        for resident in residents:
            await resident.close()


@pytest.fixture(scope="module")
def app():
    script = Script(text="C'est une facture d'eau.")
    with FakeServer("openai", script) as vision, IsolatedDatabase() as db:
        code = db.shell(SETUP.format(url=vision.base_url)).split()[-1]
        with AppProcesses(db, WARM_UP="0", KNOWLEDGE_DENSE="0") as live:
            live.session = sign_in(live.urls[0], code)
            assert run_async(warm_up(live.urls[0], live.session)) == 200
            live.vision = vision
            yield live


def test_it_refuses_hostile_pdfs_without_spending_the_web_process_s_cpu(app):
    url, pid = app.urls[0], app.processes[0].pid
    before = cpu_seconds(pid)
    with from_address(url) as visitor:
        answers = run_async(attack(url, app.session, question_with(blank_text_pdf()), 8))
        landing = [visitor.get("/").status_code for _ in range(5)]
    spent = cpu_seconds(pid) - before
    assert [status for status, _data, _s in answers] == [400] * 8
    assert {data["error"] for _status, data, _s in answers} == {"attachment"}
    assert landing == [200] * 5
    # Unbounded, the web process read each PDF itself: 15 s of CPU or more apiece.
    assert spent < 3, f"the web process spent {spent:.1f} s of CPU"
    assert app.vision.requests == []


def test_it_still_reads_a_sound_pdf(app):
    pdf = make_pdf(["Facture d'eau : 42 euros, echeance le 15 mai."])
    [(status, data, _seconds)] = run_async(attack(app.urls[0], app.session, question_with(pdf), 1))
    assert status == 200 and "event: done" in data["stream"]
    sent = json.dumps(app.vision.requests[-1]["json"]["messages"])
    assert "42 euros" in sent
