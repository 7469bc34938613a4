"""The comms team's page of residents' opinions on answers: helpful or not, per day and per
cited document, with the reasons given (knowledge.models.Feedback; no text is ever kept)."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.roles import ADMINS, COMMS, role_required

from .models import Document, Feedback

# The periods the page offers, in days; the first is shown by default.
PERIODS = (30, 7, 90)


def _counts(prefix: str = "") -> dict:
    """Count() of each rating and reason, over Feedback rows or through a relation."""
    field = f"{prefix}id" if not prefix else prefix.rstrip("_")
    counts = {
        rating: Count(field, filter=Q(**{f"{prefix}rating": rating}))
        for rating in Feedback.Rating.values
    }
    for reason in Feedback.Reason.values:
        counts[reason] = Count(field, filter=Q(**{f"{prefix}reason": reason}))
    return counts


def _with_rate(rows) -> list[dict]:
    """Each row with its total and its share of "helpful", in percent (None without votes)."""
    out = []
    for row in rows:
        total = row["up"] + row["down"]
        rate = round(100 * row["up"] / total) if total else None
        reasons = [(label, row.get(key, 0)) for key, label in Feedback.Reason.choices]
        out.append({**row, "total": total, "rate": rate, "reasons": reasons})
    return out


def per_day(since: dt.date) -> list[dict]:
    rows = Feedback.objects.filter(day__gte=since).values("day").annotate(**_counts())
    return _with_rate(rows.order_by("-day"))


def per_document(since: dt.date) -> list[dict]:
    rows = (
        Document.objects.filter(feedback__day__gte=since)
        .values("pk", "title")
        .annotate(**_counts("feedback__"))
    )
    return sorted(_with_rate(rows), key=lambda r: (-r["down"], -r["total"], r["title"]))


def per_provider(since: dt.date) -> list[dict]:
    rows = Feedback.objects.filter(day__gte=since).values("provider").annotate(**_counts())
    return _with_rate(rows.order_by("provider"))


@role_required(COMMS, ADMINS)
@require_GET
def report(request):
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else PERIODS[0]
    days = days if days in PERIODS else PERIODS[0]
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    days_rows = per_day(since)
    context = {
        "days": days,
        "periods": sorted(PERIODS),
        "since": since,
        "summary": _with_rate([{k: sum(r[k] for r in days_rows) for k in ("up", "down")}])[0],
        "per_day": days_rows,
        "per_document": per_document(since),
        "per_provider": per_provider(since),
    }
    return render(request, "knowledge/feedback.html", context)
