"""The Celery broker (Redis) unreachable when the comms team uploads a document.

Residents never wait on the broker (the chat path queues nothing); an upload does. The broker's
refusal is simulated where Celery raises it (the task's apply_async), as kombu does when Redis
is down: the upload page must not fail, and the document must not be left waiting for ever.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from kombu.exceptions import OperationalError

from knowledge.models import Document
from knowledge.tasks import NOT_QUEUED, ingest_document_task

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


@pytest.fixture
def broker_down(monkeypatch):
    """A deployment with a broker (tasks queued, not run in-process), and the broker down."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    conf = ingest_document_task.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    monkeypatch.setattr(ingest_document_task, "apply_async", refuse)
    yield
    conf.task_always_eager = eager


def upload(client, name: str, data: bytes):
    form = {"kind": "magazine", "published_on": "2026-11-01", "title": "Horaires"}
    return client.post("/comms/upload/", {**form, "files": [SimpleUploadedFile(name, data)]})


def test_it_marks_the_document_failed_when_the_broker_is_down_then_takes_it_again(
    client, marius, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(marius)
    data = b"# Mairie\nOuverte du lundi au vendredi."
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "horaires.md", data)
    assert response.status_code == 302  # the page answers; no error page
    doc = Document.objects.get()
    assert doc.status == Document.Status.FAILED and doc.error == str(NOT_QUEUED)

    monkeypatch.undo()  # the broker is back: the same file may be uploaded again
    queued = []
    monkeypatch.setattr(ingest_document_task, "apply_async", lambda *a, **k: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, "horaires.md", data).status_code == 302
    assert Document.objects.count() == 2 and len(queued) == 1


def test_it_has_the_not_queued_message_in_french():
    """The comms team reads French: locale/fr must translate NOT_QUEUED (compiled)."""
    with translation.override("fr"):
        assert str(NOT_QUEUED) == (
            "Ce document n'a pas pu être envoyé à la lecture : le service d'arrière-plan est "
            "indisponible. Envoyez-le de nouveau dans quelques minutes."
        )
