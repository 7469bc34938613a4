"""The ingestion time limit in the embedded default (issue 13, item 10): a live process.

Without a Celery worker (no REDIS_URL) an upload is read inside its own request, where
Celery's time limits never applied: a 5 s KNOWLEDGE_INGEST_SECONDS let a slow PDF hold the
request 19 s. Now knowledge.tasks stops the reading at the limit there too: the comms team
gets its answer soon after, and the document is marked failed with the reason.
"""

import re
import time

import pytest

from tests.support.documents import blank_text_pdf
from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_password

pytestmark = pytest.mark.security
LIMIT = 5  # KNOWLEDGE_INGEST_SECONDS of the process


def test_it_stops_reading_an_upload_at_the_time_limit_without_a_worker():
    slow = blank_text_pdf(pages=8)  # ~5 s of CPU a page for pypdf: 40 s in all
    with IsolatedDatabase() as db:
        add_persona(db, "marius")
        env = {"WARM_UP": "0", "KNOWLEDGE_DENSE": "0", "KNOWLEDGE_INGEST_SECONDS": str(LIMIT)}
        with AppProcesses(db, **env) as app, from_address(app.urls[0], timeout=300) as comms:
            assert try_password(comms, "marius", STAFF_PASSWORD).status_code == 302
            token = csrf_of(comms.get("/comms/upload/"))
            fields = {"title": "Lent", "kind": "other", "published_on": "2026-12-01"}
            started = time.monotonic()
            upload = comms.post(
                "/comms/upload/",
                data={"csrfmiddlewaretoken": token, **fields},
                files={"files": ("lent.pdf", slow, "application/pdf")},
            )
            elapsed = time.monotonic() - started
            listing = comms.get("/comms/").text
        state = (
            db.shell(
                "from knowledge.models import Document\n"
                "d = Document.objects.get(title='Lent')\n"
                "print(d.status, '|', d.error)"
            )
            .strip()
            .splitlines()[-1]
        )
    assert upload.status_code == 302
    assert elapsed < LIMIT + 10, f"the upload's request took {elapsed:.1f} s"
    assert state.startswith("failed |") and re.search(r"trop longtemps|took too long", state)
    assert re.search(r"trop longtemps|took too long", listing)
