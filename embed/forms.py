"""Forms of the embedding page: a site allowed to show the assistant, and the snippet's look."""

import math

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import contrast, origins
from .models import AllowedSite

DEFAULT_BACKGROUND = "#0b4f8a"  # the site's --accent (static/css/arcachat.css)
DEFAULT_TEXT = "#ffffff"
LABEL_MAX = 40  # the button stays one line at 200 % zoom on a phone


class AllowedSiteForm(forms.Form):
    origin = forms.CharField(
        label=gettext_lazy("Address of the site"),
        max_length=255,
        help_text=gettext_lazy(
            "For example https://www.port-lumiere.fr: the address of the site's home page. "
            "Every page of that site may then show the assistant."
        ),
    )

    def clean_origin(self) -> str:
        origin = origins.normalise(self.cleaned_data["origin"])
        if AllowedSite.objects.filter(origin=origin).exists():
            raise forms.ValidationError(
                _("%(origin)s is already in the list."), params={"origin": origin}
            )
        return origin


class ColourInput(forms.TextInput):
    input_type = "color"


class SnippetForm(forms.Form):
    POSITIONS = [
        ("right", gettext_lazy("Bottom right of the page")),
        ("left", gettext_lazy("Bottom left of the page")),
    ]
    position = forms.ChoiceField(label=gettext_lazy("Where the button sits"), choices=POSITIONS)
    label = forms.CharField(
        label=gettext_lazy("Text of the button"), max_length=LABEL_MAX, strip=True
    )
    background = forms.CharField(label=gettext_lazy("Colour of the button"), widget=ColourInput)
    color = forms.CharField(label=gettext_lazy("Colour of its text"), widget=ColourInput)

    def _colour(self, name: str) -> str:
        colour = contrast.parse(self.cleaned_data[name])
        if colour is None:
            raise forms.ValidationError(_("Choose a colour such as #0b4f8a."))
        return colour

    def clean_background(self) -> str:
        return self._colour("background")

    def clean_color(self) -> str:
        return self._colour("color")

    def clean(self):
        data = super().clean()
        background, text = data.get("background"), data.get("color")
        if background and text:
            ratio = contrast.ratio(background, text)
            if ratio < contrast.MIN_RATIO:
                better = contrast.readable_text(background)
                self.add_error(
                    "color",
                    _(
                        "This text would be hard to read on this colour (contrast %(ratio).1f:1; "
                        "at least %(min).1f:1 is needed). Text in %(better)s reaches "
                        "%(better_ratio).1f:1."
                    )
                    % {
                        "ratio": math.floor(ratio * 10) / 10,  # 4.49 must not read 4.5
                        "min": contrast.MIN_RATIO,
                        "better": _("white") if better == "#ffffff" else _("black"),
                        "better_ratio": contrast.ratio(background, better),
                    },
                )
        return data
