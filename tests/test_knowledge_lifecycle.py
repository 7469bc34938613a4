"""A document's life around ingestion: stale readings released, duplicates told apart by
status, a later issue handing over on its first day, events guides with an end date, and
lead vectors computed outside the publishing transaction."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from knowledge import ingest
from knowledge.ingest import duplicate_message, find_duplicate, release_stale
from knowledge.models import Document
from knowledge.retrieval import search
from knowledge.tasks import release_stale_documents
from tests.support.documents import add_document, make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
FAQ = "# Cimetière\nOuvert de 8 h à 18 h.".encode()


def _form(**extra):
    data = {"kind": "faq", "published_on": "2026-11-01", "title": ""}
    data.update(extra)
    return data


def _aged(doc: Document, seconds: float) -> None:
    Document.objects.filter(pk=doc.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_it_marks_failed_the_documents_a_dead_worker_left_behind(settings):
    settings.KNOWLEDGE_INGEST_SECONDS = 900  # released after 900 + 120 s without news
    waiting = add_document(b"Attente", "a.txt", ingest=False)
    stuck = add_document(b"Bloque", "b.txt", ingest=False)
    Document.objects.filter(pk=stuck.pk).update(status=Document.Status.PROCESSING)
    recent = add_document(b"Recent", "c.txt", ingest=False)
    ready = add_document(b"Pret", "d.txt")
    for doc, age in ((waiting, 1100), (stuck, 1100), (recent, 1000), (ready, 5000)):
        _aged(doc, age)
    assert release_stale_documents() == 2
    statuses = dict(Document.objects.values_list("original_name", "status"))
    assert statuses == {"a.txt": "failed", "b.txt": "failed", "c.txt": "pending", "d.txt": "ready"}
    assert Document.objects.get(pk=stuck.pk).error == (
        "The analysis was interrupted; please send the file again."
    )


def test_it_never_releases_a_document_while_it_is_being_read(monkeypatch):
    doc = add_document(FAQ, "faq.md", ingest=False)
    _aged(doc, 3600)  # queued long ago, read only now
    read = ingest.READERS["markdown"]

    def reader_meeting_the_reaper(data, progress):
        released.append(release_stale())
        return read(data, progress)

    released = []
    monkeypatch.setitem(ingest.READERS, "markdown", reader_meeting_the_reaper)
    assert ingest.ingest_document(doc.pk).status == Document.Status.READY
    assert released == [0]


def test_it_accepts_again_a_file_whose_reading_was_interrupted(client, marius):
    client.force_login(marius)
    client.post("/comms/upload/", _form(files=[SimpleUploadedFile("a.md", FAQ)], title="Cimetière"))
    first = Document.objects.get()  # its worker died: it stays "waiting"
    again = client.post("/comms/upload/", _form(files=[SimpleUploadedFile("b.md", FAQ)]))
    assert "“b.md” is already being analysed as “Cimetière”" in again.content.decode()
    assert Document.objects.count() == 1
    _aged(first, 3600)
    release_stale()
    accepted = client.post("/comms/upload/", _form(files=[SimpleUploadedFile("c.md", FAQ)]))
    assert accepted.status_code == 302
    assert Document.objects.count() == 2


def test_it_counts_only_documents_in_use_scheduled_or_being_read_as_duplicates():
    doc = add_document(FAQ, "faq.md")
    today = timezone.localdate()
    cases = [
        ({"status": "ready", "valid_until": today}, True),
        ({"status": "ready", "valid_from": today + dt.timedelta(days=9)}, True),
        ({"status": "processing"}, True),
        ({"status": "ready", "valid_until": today - dt.timedelta(days=1)}, False),
        ({"status": "failed"}, False),
        ({"status": "retired"}, False),
    ]
    for fields, duplicate in cases:
        Document.objects.filter(pk=doc.pk).update(
            **{"valid_from": None, "valid_until": None, **fields}
        )
        assert (find_duplicate(doc.content_hash) is not None) is duplicate, fields


def test_it_dates_a_duplicate_in_the_towns_local_time(settings):
    settings.TIME_ZONE = "Europe/Paris"
    doc = add_document(FAQ, "faq.md", title="Cimetière")
    late = dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 22nd in Paris
    Document.objects.filter(pk=doc.pk).update(created_at=late)
    doc.refresh_from_db()
    with timezone.override("Europe/Paris"):
        message = duplicate_message("copie.md", doc)
    assert "(added 22/11/2026)" in message


def _issue(text: str, name: str, **fields) -> Document:
    return add_document(make_pdf([text]), name, kind="magazine", **fields)


def test_it_keeps_the_previous_issue_in_use_until_a_later_issue_starts():
    today = timezone.localdate()
    starts = today + dt.timedelta(days=10)
    old = _issue("Edito : la fete du port aura lieu en juin.", "mag-10.pdf")
    new = _issue(
        "Edito : la fete du port est en juillet.", "mag-11.pdf", valid_from=starts, replaces=old
    )
    assert new.status == Document.Status.READY
    old = Document.objects.get(pk=old.pk)
    assert old.status == Document.Status.READY
    assert old.valid_until == starts - dt.timedelta(days=1)
    assert [p.document_id for p in search("fête du port", today=today)] == [old.pk]
    assert [p.document_id for p in search("fête du port", today=starts)] == [new.pk]
    later = _issue("Numero suivant.", "mag-12.pdf", valid_from=starts, replaces=new)
    assert later.status == Document.Status.READY  # `new` has no day left: retired at once
    assert Document.objects.get(pk=new.pk).status == Document.Status.RETIRED


def test_it_requires_an_end_date_for_an_events_guide(client, marius):
    client.force_login(marius)
    files = [SimpleUploadedFile("agenda.md", b"# Agenda\nBal le 14 juillet.")]
    form = _form(files=files, kind="events_guide", title="Agenda de juillet")
    refused = client.post("/comms/upload/", form).content.decode()
    assert "An events guide needs a “Valid until” date" in refused
    assert 'value="Agenda de juillet"' in refused and 'value="2026-11-01"' in refused
    assert not Document.objects.exists()
    files = [SimpleUploadedFile("agenda.md", b"# Agenda\nBal le 14 juillet.")]
    form = _form(files=files, kind="events_guide", valid_until="2026-07-31")
    assert client.post("/comms/upload/", form).status_code == 302
    assert Document.objects.get().valid_until == dt.date(2026, 7, 31)


def test_it_computes_lead_vectors_before_the_publishing_transaction(monkeypatch):
    from knowledge import vectors

    depth, seen = len(connection.atomic_blocks), []
    encode = vectors.encode_passages

    def spy(texts):
        seen.append(len(connection.atomic_blocks))
        return encode(texts)

    monkeypatch.setattr(vectors, "encode_passages", spy)
    doc = add_document("# Plage\nBaignade surveillée en juillet.".encode(), "plage.md")
    assert doc.status == Document.Status.READY
    assert seen == [depth]  # once, and in no transaction of the ingestion
    assert search("baignade surveillée", today=timezone.localdate())[0].document_id == doc.pk
