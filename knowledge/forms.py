"""Forms of the comms pages: upload (several files or a URL), prompt editor, test question,
web site to sync."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Document, PromptTemplate, WebSite


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)  # the view refuses it per file, clearly
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files (PDF, Word .docx, HTML, Markdown, text; several at once)"), required=False
    )
    url = forms.URLField(
        label=_("…or the address of a web page"), required=False, assume_scheme="https"
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Filled in from the document when you choose a file: check it."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        # Answer cards are published from the town hall's replies (townhall), not uploaded.
        choices=[
            ("", _("Guess from the file")),
            *[c for c in Document.Kind.choices if c[0] != Document.Kind.ANSWER_CARD],
        ],
        required=False,
    )
    published_on = forms.DateField(label=_("Publication date"), widget=DateInput())
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "After this date the document is no longer used for answers (required for an "
            "events guide, whose events would otherwise be given as coming for ever)."
        ),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces (e.g. the previous issue of the magazine)"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_(
            "The previous document is retired only once this one is ready; if this one is "
            "valid from a later date, the previous one stays in use until the day before."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = Document.objects.filter(status=Document.Status.READY)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Document.Kind.EVENTS_GUIDE and not data.get("valid_until"):
            self.add_error(
                "valid_until",
                _(
                    "An events guide needs a “Valid until” date (usually the day of its last "
                    "event): after it, its events are past and no longer given in answers."
                ),
            )
        if not data.get("files") and not data.get("url"):
            raise forms.ValidationError(_("Choose at least one file, or give a web address."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity is before its start."))
        return data


class PromptForm(forms.ModelForm):
    class Meta:
        model = PromptTemplate
        fields = ["text", "contact", "general_answers"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}
        help_texts = {
            "text": _("Placeholders: {town}, {today}, {contact}. Safety rules are always added.")
        }


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Test question"), max_length=1000)
    today = forms.DateField(label=_("As if today were"), required=False, widget=DateInput())


def _https_first(field, **kwargs):
    """An address typed without http(s):// is taken as https (as browsers do)."""
    if field.name == "start_url":
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebSiteForm(forms.ModelForm):
    """A web site to sync: where to start, which paths, how often, how politely."""

    class Meta:
        model = WebSite
        formfield_callback = _https_first
        fields = [
            "name",
            "start_url",
            "include_paths",
            "exclude_paths",
            "schedule",
            "rate",
            "max_pages",
            "max_megabytes",
            "max_depth",
        ]
        widgets = {
            "include_paths": forms.Textarea(attrs={"rows": 3}),
            "exclude_paths": forms.Textarea(attrs={"rows": 3}),
        }

    basic = ("name", "start_url", "schedule")  # the rest is folded away: defaults suit most

    def advanced_errors(self) -> bool:
        return any(name not in self.basic for name in self.errors)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("How the comms team calls it, e.g. “Town website”.")

    def clean_start_url(self):
        url = self.cleaned_data["start_url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Give an address starting with https:// or http://."))
        return url

    def _clean_paths(self, name: str) -> str:
        lines = [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]
        if len(lines) > 100 or any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("At most 100 paths of 300 characters each."))
        return "\n".join(lines)

    def clean_include_paths(self):
        return self._clean_paths("include_paths")

    def clean_exclude_paths(self):
        return self._clean_paths("exclude_paths")
