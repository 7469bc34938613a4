"""Forms of townhall's staff pages: an agent's reply, a request's service, an answer card."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CARD_ANSWER_MAX_CHARS, REPLY_MAX_CHARS, AnswerCard, Service

# The end date a new card is offered with: long enough to be worth it, short enough that
# someone looks at it again (the comms team may choose another).
CARD_DAYS = 180


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the resident"),
        max_length=REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain words, no personal data: the resident reads it at their next visit."),
    )


class ServiceForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.filter(active=True),
        required=False,
        empty_label=_("No service yet"),
    )


class CardForm(forms.ModelForm):
    class Meta:
        model = AnswerCard
        fields = ["question", "answer", "service", "valid_until"]
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 8, "maxlength": CARD_ANSWER_MAX_CHARS}),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "question": _("The question as residents would ask it."),
            "answer": _("A short answer the town hall stands by, in plain words."),
            "valid_until": _("After this day the assistant no longer uses the card."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(active=True)
        self.fields["service"].required = True
        if not self.initial.get("valid_until"):
            self.initial["valid_until"] = timezone.localdate() + dt.timedelta(days=CARD_DAYS)

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip()
        if len(answer) > CARD_ANSWER_MAX_CHARS:
            raise forms.ValidationError(
                _("Please keep the answer under %(n)d characters.") % {"n": CARD_ANSWER_MAX_CHARS}
            )
        return answer

    def clean_valid_until(self):
        day = self.cleaned_data["valid_until"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The end date must be today or later."))
        return day
