"""The admins' forms of the privacy page: the town's record entries, a provider's place."""

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.models import ProviderConfig

from .locations import EDITABLE_KINDS, PLACE_CHOICES
from .models import RecordSettings


class RecordForm(forms.ModelForm):
    class Meta:
        model = RecordSettings
        fields = ["controller", "dpo", "legal_basis", "basis_detail", "transfer_safeguards"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("controller", "dpo", "basis_detail", "transfer_safeguards")
        }


class PlaceForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=ProviderConfig.objects.filter(kind__in=EDITABLE_KINDS), widget=forms.HiddenInput
    )
    place = forms.ChoiceField(
        label=_("Where does it process the questions?"),
        choices=[("", _("Not declared")), *PLACE_CHOICES],
        required=False,
    )
