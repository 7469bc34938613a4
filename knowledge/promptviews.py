"""Comms pages of the prompt: edit it, restore an earlier version or the default, and the
playground, which shows the answer a resident would get from the active provider.

The playground runs the same path as the chat (knowledge.prompt.assemble, then
providers.chain) but is not metered: a test costs what one question costs with a paid
provider, and the page says so.
"""

import html

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import ADMINS, COMMS, role_required
from providers.chain import stream_answer
from providers.models import Kind
from providers.registry import active_provider

from .citations import sources_of
from .costs import estimate_cost
from .forms import PromptForm, QuestionForm
from .models import PromptTemplate
from .prompt import DEFAULT_TEMPLATE, active_template, assemble

comms_only = role_required(COMMS, ADMINS)


def _save_version(user, text: str, contact: str, general_answers: bool) -> PromptTemplate:
    with transaction.atomic():
        PromptTemplate.objects.filter(is_active=True).update(is_active=False)
        return PromptTemplate.objects.create(
            text=text,
            contact=contact,
            general_answers=general_answers,
            author=user,
            is_active=True,
        )


def offline_is_active() -> bool:
    """The active provider quotes documents and never reads the prompt."""
    return active_provider().kind == Kind.OFFLINE


@comms_only
def prompt_edit(request):
    current = active_template()
    form = PromptForm(
        request.POST or None,
        instance=PromptTemplate(
            text=current.text, contact=current.contact, general_answers=current.general_answers
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save_version(request.user, data["text"], data["contact"], data["general_answers"])
        messages.success(request, _("The system prompt was saved (new version)."))
        return redirect("knowledge:prompt")
    context = {
        "form": form,
        "history": PromptTemplate.objects.select_related("author")[:30],
        "is_default": current.pk is None or current.text == DEFAULT_TEMPLATE,
        "offline": offline_is_active(),
    }
    return render(request, "knowledge/prompt.html", context)


@comms_only
@require_POST
def prompt_restore(request):
    """Make an earlier version (`version`) or the built-in default (`default`) the prompt in
    use, as a new version: the history keeps every text that was ever used."""
    if request.POST.get("default"):
        default = PromptTemplate._meta.get_field("general_answers").default
        _save_version(request.user, DEFAULT_TEMPLATE, settings.TOWN_CONTACT, default)
        messages.success(request, _("The built-in default prompt is in use again."))
        return redirect("knowledge:prompt")
    old = get_object_or_404(PromptTemplate, pk=request.POST.get("version") or 0)
    _save_version(request.user, old.text, old.contact, old.general_answers)
    when = timezone.localtime(old.created_at).strftime("%d/%m/%Y %H:%M")
    messages.success(request, _("The version of %(when)s is in use again.") % {"when": when})
    return redirect("knowledge:prompt")


async def _answer(prompt) -> dict:
    stream = stream_answer(prompt)
    parts = [chunk async for chunk in stream]
    text = "".join(parts)
    provider = stream.provider
    return {
        "text": text,
        "provider": provider.name if provider else "",
        "offline": provider is not None and provider.kind == Kind.OFFLINE,
        "failed": [failure.provider.name for failure in stream.failures],
        "error": str(stream.error.user_message) if stream.error and not text else "",
    }


def _details(passages) -> list[dict]:
    """The passages retrieved, in rank order, their text decoded for reading."""
    return [
        {
            "rank": rank,
            "title": html.unescape(p.title),
            "heading": html.unescape(p.heading or ""),
            "page": p.page,
            "url": p.url,
            "text": html.unescape(p.text),
        }
        for rank, p in enumerate(passages, start=1)
    ]


@comms_only
def playground(request):
    form = QuestionForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        today = form.cleaned_data.get("today") or timezone.localdate()
        prompt = assemble(form.cleaned_data["question"], [], today)
        answer = async_to_sync(_answer)(prompt)
        tokens = prompt.input_tokens_estimate()
        result = {
            "answer": answer,
            "sources": sources_of(prompt.passages, answer["text"]),
            "passages": _details(prompt.passages),
            "tokens": tokens,
            "cost": estimate_cost(tokens, prompt.max_output_tokens),
        }
    return render(request, "knowledge/playground.html", {"form": form, "result": result})
