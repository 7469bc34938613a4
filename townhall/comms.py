"""The comms team's pages: answer cards (publish from a sent reply or from scratch, withdraw)
and the weekly insight (what residents sent to the town hall, what the documents do not
cover, which cards answered), built without any transcript."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, COMMS, role_required

from . import cards as publication
from . import insight
from .forms import CardForm
from .models import AnswerCard, TownRequest

comms_only = role_required(COMMS, ADMINS)
REPLIES_SHOWN = 20


def _answered_counts() -> dict[int, int]:
    """How many answers each card came first in, over the weeks the insight page shows."""
    counted = insight.cards_answering(insight.oldest_shown(), limit=None)
    return {row["card"].pk: row["count"] for row in counted}


@comms_only
@require_GET
def cards(request):
    today = timezone.localdate()
    rows = list(AnswerCard.objects.select_related("service", "document", "published_by"))
    counts = _answered_counts()
    published_from = AnswerCard.objects.filter(source_request__isnull=False).values(
        "source_request"
    )
    replies = (
        TownRequest.objects.filter(status=TownRequest.Status.REPLIED, purged_at__isnull=True)
        .exclude(pk__in=published_from)
        .select_related("service")
        .order_by("-handled_at")[:REPLIES_SHOWN]
    )
    context = {
        "cards": [(card, card.is_live(today), counts.get(card.pk, 0)) for card in rows],
        "replies": replies,
        "today": today,
    }
    return render(request, "townhall/cards.html", context)


def _source(request) -> TownRequest | None:
    number = request.POST.get("source") or request.GET.get("from") or ""
    if not number.isdigit():
        return None
    return get_object_or_404(TownRequest, pk=int(number), purged_at__isnull=True)


@comms_only
def card_new(request):
    """A new card, from scratch or from a request (?from=N): its question and reply."""
    source = _source(request)
    initial = {}
    if source is not None:
        initial = {
            "question": " ".join(source.question.split())[:300],
            "answer": source.reply,
            "service": source.service_id,
        }
    form = CardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        card = form.save(commit=False)
        card.source_request = source
        card.published_by = request.user
        publication.publish(card, request.user)
        messages.success(
            request,
            _("The card is published: the assistant uses it from now until %(day)s.")
            % {"day": card.valid_until.strftime("%d/%m/%Y")},
        )
        return redirect("townhall:cards")
    return render(request, "townhall/card_new.html", {"form": form, "source": source})


@comms_only
@require_POST
def card_withdraw(request, card_id: int):
    card = get_object_or_404(AnswerCard.objects.select_related("document"), pk=card_id)
    if card.withdrawn_at is None:
        publication.withdraw(card, request.user)
        messages.success(request, _("The card “%(q)s” is withdrawn.") % {"q": card.question})
    return redirect("townhall:cards")


def _chosen_week(request, weeks: list[insight.Week]) -> insight.Week:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return weeks[0]
    return next((week for week in weeks if week.start == wanted), weeks[0])


def _sent_during(week: insight.Week):
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(week.start, dt.time.min), zone)
    return (
        TownRequest.objects.filter(
            created_at__gte=start,
            created_at__lt=start + dt.timedelta(days=7),
            purged_at__isnull=True,
        )
        .select_related("service")
        .order_by("created_at")
    )


@comms_only
@require_GET
def insight_page(request):
    weeks = insight.weeks()
    week = _chosen_week(request, weeks)
    context = {
        "weeks": weeks,
        "week": week,
        "sent": _sent_during(week),
        "topics": insight.weak_topics(week.start),
        "nothing_near": insight.uncovered_without_topic(week.start),
        "cards": insight.cards_answering(weeks[-1].start),
        "low_confidence": insight.LOW_CONFIDENCE,
    }
    return render(request, "townhall/insight.html", context)
