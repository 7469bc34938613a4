"""Admins' forms of metering: the town's quotas and budget, and one code's allowance."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accesscodes.models import AccessCode

from .models import QuotaSettings


class QuotaForm(forms.ModelForm):
    class Meta:
        model = QuotaSettings
        fields = [
            "monthly_budget_eur",
            "code_monthly_tokens",
            "code_monthly_eur",
            "code_daily_tokens",
            "offline_when_paused",
            "auto_suspend_flagged",
            "alert_emails",
        ]
        widgets = {"alert_emails": forms.Textarea(attrs={"rows": 3})}

    def clean_alert_emails(self):
        lines = self.cleaned_data["alert_emails"].split()
        validator = forms.EmailField()
        for line in lines:
            validator.clean(line)
        return "\n".join(lines)


class CodeQuotaForm(forms.ModelForm):
    class Meta:
        model = AccessCode
        fields = ["monthly_tokens", "monthly_eur", "daily_tokens"]
        help_texts = {
            "monthly_tokens": gettext_lazy("Empty: the town's default."),
            "monthly_eur": gettext_lazy("Empty: the town's default."),
            "daily_tokens": gettext_lazy("Empty: the town's default."),
        }

    def clean_monthly_eur(self):
        value = self.cleaned_data["monthly_eur"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("Enter an amount of 0 € or more."))
        return value
