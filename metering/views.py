"""Admins' spend pages: the month's dashboard, its CSV export, quotas, and one code's usage."""

from __future__ import annotations

import csv
import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accesscodes import history
from accesscodes.models import AccessCode, AuditEntry
from core.roles import ADMINS, role_required

from . import allowance, overuse, spend
from .forms import CodeQuotaForm, QuotaForm
from .models import QuotaSettings, UsageRecord, to_euros

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CHART_W, CHART_H = 640, 180


def chosen_month(request) -> str:
    month = request.GET.get("month", "")
    return month if MONTH_RE.match(month) else spend.current_month()


def day_bars(days: list[dict]) -> list[dict]:
    """Geometry of the spend-per-day bar chart (SVG drawn by the template, no script)."""
    top = max((day["eur"] for day in days), default=0) or 1
    width = CHART_W / max(1, len(days))
    bars = []
    for index, day in enumerate(days):
        height = float(day["eur"] / top) * (CHART_H - 20)
        bars.append(
            {
                **day,
                "x": round(index * width + 1, 1),
                "y": round(CHART_H - height, 1),
                "w": round(max(1.0, width - 2), 1),
                "h": round(height, 1),
            }
        )
    return bars


@role_required(ADMINS)
def dashboard(request):
    month = chosen_month(request)
    figures = spend.month_figures(month)
    earliest = spend.earliest_month()
    previous = spend.shift_month(month, -1)
    context = {
        "figures": figures,
        "bars": day_bars(figures.days),
        "chart_w": CHART_W,
        "chart_h": CHART_H,
        "previous": previous if earliest and previous >= earliest else None,
        "next": spend.shift_month(month, 1) if month < spend.current_month() else None,
        "impact": spend.month_impact(figures.providers),
        "impact_zone": spend.ELECTRICITY_ZONE,
        "is_current": month == spend.current_month(),
        "flagged": spend.flagged_codes()[:50],
        "past": spend.past_months(),
        "codes_active": AccessCode.objects.filter(status=AccessCode.Status.ACTIVE).count(),
        "quotas": QuotaSettings.current(),
    }
    return render(request, "metering/spend.html", context)


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_headers() -> list[str]:
    """The columns' names in the town's language (LANGUAGE_CODE), whoever exports."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            pgettext("csv", "time"),
            pgettext("csv", "code"),
            pgettext("csv", "provider"),
            pgettext("csv", "model"),
            pgettext("csv", "input tokens"),
            pgettext("csv", "cached input tokens"),
            pgettext("csv", "output tokens"),
            pgettext("csv", "estimated (1 = yes)"),
            pgettext("csv", "cost (€)"),
            pgettext("csv", "outcome"),
            pgettext("csv", "latency (ms)"),
            pgettext("csv", "line (resident, or staff: a reply draft)"),
        ]


@role_required(ADMINS)
def export_csv(request):
    """The month's usage records, one line each: figures and code labels, never any text.
    A byte order mark, ";" between cells and a decimal comma: French Excel then reads UTF-8
    in columns and the amounts as numbers it can add up."""
    month = chosen_month(request)
    start, end = spend.month_bounds(month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="arcachat-usage-{month}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(csv_headers())
    rows = (
        UsageRecord.objects.filter(at__gte=start, at__lt=end)
        .select_related("code")
        .order_by("at", "id")
    )
    for record in rows.iterator():
        writer.writerow(
            [
                timezone.localtime(record.at).isoformat(timespec="seconds"),
                record.code.label if record.code else "",
                spreadsheet_safe(record.provider),
                spreadsheet_safe(record.model),
                record.input_tokens,
                record.cached_tokens,
                record.output_tokens,
                int(record.estimated),
                f"{record.cost_eur:.6f}".replace(".", ","),
                record.outcome,
                record.latency_ms,
                record.line,
            ]
        )
    return response


@role_required(ADMINS)
def quotas(request):
    settings_row = QuotaSettings.current()
    form = QuotaForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        form.save()
        changed = ", ".join(form.changed_data) or "nothing"
        AuditEntry.record(request.user, AuditEntry.Action.SETTINGS, detail=f"quotas: {changed}")
        messages.success(request, _("The quotas and budget are saved. They apply at once."))
        return redirect("spend")
    return render(request, "metering/quotas.html", {"form": form})


def _code(number: int) -> AccessCode:
    return get_object_or_404(AccessCode, number=number)


@role_required(ADMINS)
def code_usage(request, number: int):
    code = _code(number)
    form = CodeQuotaForm(request.POST or None, instance=code)
    if request.method == "POST" and form.is_valid():
        form.save()
        detail = ", ".join(f"{name}={form.cleaned_data[name]}" for name in form.changed_data)
        AuditEntry.record(request.user, AuditEntry.Action.QUOTA, code, detail or history.UNCHANGED)
        messages.success(request, _("The allowance of %(label)s is saved.") % {"label": code.label})
        return redirect("spend-code", number=number)
    signals = overuse.signals().get(code.pk)
    start, end = spend.month_bounds(spend.current_month())
    records = UsageRecord.objects.filter(code=code, at__gte=start, at__lt=end)
    context = {
        "code": code,
        "status": code.current_status_label(),
        "summary": allowance.usage_summary(code),
        "signals": signals,
        "form": form,
        "recent": records.order_by("-at")[:20],
        "month_eur": to_euros(sum(r.cost_micros for r in records.only("cost_micros"))),
    }
    return render(request, "metering/spend_code.html", context)


@require_POST
@role_required(ADMINS)
def clear_flag(request, number: int):
    """Clear a code's sharing flag once an admin has looked into it. Suspending, revoking
    and reissuing are done from the counter desk's page of the code (admins may use it)."""
    code = _code(number)
    if code.flagged_at:
        code.flagged_at, code.flag_reasons = None, ""
        code.save(update_fields=["flagged_at", "flag_reasons"])
        AuditEntry.record(request.user, AuditEntry.Action.FLAGGED, code, history.FLAG_CLEARED)
        messages.success(request, _("The flag of %(label)s is cleared.") % {"label": code.label})
    return redirect("spend-code", number=number)
