"""The admins' page listing staff actions on codes, filterable; residents never appear in it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.roles import ADMINS, role_required

from . import history
from .forms import AuditFilterForm
from .models import AuditEntry

PER_PAGE = 50


@role_required(ADMINS)
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("code")
    if form.is_bound:
        entries = form.filter(entries)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": history.with_details(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "accesscodes/audit.html", context)
