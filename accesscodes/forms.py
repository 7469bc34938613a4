"""Forms of the counter desk and of the audit log page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import codeformat
from .models import AuditEntry, Site

MAX_BATCH = 100

MISTYPED = _(
    "This code looks mistyped. Check each character against the slip: 16 characters in "
    "groups of four, then one more."
)


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in the town's time zone (a code is valid all that day)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


class DateInput(forms.DateInput):
    input_type = "date"


class IssueForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=MAX_BATCH,
        initial=1,
        help_text=format_lazy(_("Up to {max} codes, printed four to an A4 sheet."), max=MAX_BATCH),
    )
    expires_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for a code that does not expire."),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("This date is already past."))
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        return end_of_day(day) if day else None


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Code typed from the slip"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        try:
            return codeformat.canonical(self.cleaned_data["code"])
        except codeformat.MistypedCode:
            raise forms.ValidationError(MISTYPED) from None


class SiteForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Counter where I work today"), queryset=Site.objects.all(), empty_label=None
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All"))] + AuditEntry.Action.choices
    )
    number = forms.IntegerField(label=_("Code number (N°)"), required=False, min_value=1)
    actor = forms.CharField(label=_("Staff member"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def filter(self, entries):
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["number"]:
            entries = entries.filter(label=f"N° {data['number']:04d}")
        if data["actor"]:
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data["since"]:
            entries = entries.filter(at__gte=start_of_day(data["since"]))
        if data["until"]:
            entries = entries.filter(at__lte=end_of_day(data["until"]))
        return entries
