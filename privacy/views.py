"""The privacy pages: the admins' page and its exports, the residents' notice and its PDF.

Every view gets `question` (outbound.QuestionLimits) from arcachat/urls.py: what a question
may carry is the top app's to say."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accesscodes.models import AuditEntry
from core.roles import ADMINS, role_required

from . import facts, notice, pdf, record, word
from .access import ROLE_NAMES
from .forms import PlaceForm, RecordForm
from .models import ProviderLocation, RecordSettings

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
def page(request, question):
    found = facts.gather(question)
    places = {place.config_id: place for place in found.places if place.editable}
    context = {
        "facts": found,
        "roles": list(ROLE_NAMES.items()),
        "record_form": RecordForm(instance=found.record),
        "place_forms": [
            (place, PlaceForm(initial={"provider": config_id, "place": place.code}))
            for config_id, place in places.items()
        ],
    }
    return render(request, "privacy/page.html", context)


@role_required(ADMINS)
@require_POST
def save_record(request, question):
    form = RecordForm(request.POST, instance=RecordSettings.current())
    if form.is_valid():
        form.save()
        AuditEntry.record(request.user, AuditEntry.Action.SETTINGS, detail="privacy record")
        messages.success(request, _("The processing record is saved."))
    else:
        messages.error(request, _("The processing record was not saved: check the form."))
    return redirect("privacy:page")


@role_required(ADMINS)
@require_POST
def save_place(request, question):
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This provider's place could not be saved."))
        return redirect("privacy:page")
    provider, place = form.cleaned_data["provider"], form.cleaned_data["place"]
    if place:
        ProviderLocation.objects.update_or_create(provider=provider, defaults={"place": place})
    else:
        ProviderLocation.objects.filter(provider=provider).delete()
    AuditEntry.record(
        request.user, AuditEntry.Action.SETTINGS, detail=f"privacy place {provider}: {place}"
    )
    messages.success(request, _("Saved: where %(name)s processes questions.") % {"name": provider})
    return redirect("privacy:page")


def _record_sections(question):
    with translation.override("fr"):  # the record is a French legal document
        found = facts.gather(question)
        return found, record.sections(found)


@role_required(ADMINS)
def record_docx(request, question):
    found, sections = _record_sections(question)
    return _download(word.record(found, sections), DOCX_TYPE, "registre-arcachat.docx")


@role_required(ADMINS)
def record_pdf(request, question):
    found, sections = _record_sections(question)
    return _download(pdf.record(found, sections), "application/pdf", "registre-arcachat.pdf")


def resident_notice(request, question):
    found = facts.gather(question)
    return render(request, "privacy/notice.html", {"notice": notice.build(found)})


def resident_notice_pdf(request, question):
    found = facts.gather(question)
    content = pdf.notice(notice.build(found))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="vie-privee.pdf"'
    return response
