"""Where each provider processes the questions: declared per kind, editable by the admins
for the kinds whose place depends on who runs them (OpenAI-compatible servers).

Declared here because no vendor API says it: OpenAI's and Anthropic's public APIs process in
the United States, Mistral AI's in the EU (France), Albert (the French State's API, reached
as an OpenAI-compatible server) in France, and the offline provider on the town's own
server. An OpenAI-compatible server on a local or private address runs in the town's own
network; any other one stays "not declared" until an admin says where it is.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from providers.models import Kind, ProviderConfig

TOWN = "town"
UNKNOWN = ""
# Code -> (name, "in <place>", inside the EU/EEA where the GDPR applies as in France).
PLACES = {
    TOWN: (_("the town hall's server"), _("on the town hall's server"), True),
    "FR": (_("France"), _("in France"), True),
    "DE": (_("Germany"), _("in Germany"), True),
    "AT": (_("Austria"), _("in Austria"), True),
    "BE": (_("Belgium"), _("in Belgium"), True),
    "BG": (_("Bulgaria"), _("in Bulgaria"), True),
    "CY": (_("Cyprus"), _("in Cyprus"), True),
    "HR": (_("Croatia"), _("in Croatia"), True),
    "DK": (_("Denmark"), _("in Denmark"), True),
    "ES": (_("Spain"), _("in Spain"), True),
    "EE": (_("Estonia"), _("in Estonia"), True),
    "FI": (_("Finland"), _("in Finland"), True),
    "GR": (_("Greece"), _("in Greece"), True),
    "HU": (_("Hungary"), _("in Hungary"), True),
    "IE": (_("Ireland"), _("in Ireland"), True),
    "IT": (_("Italy"), _("in Italy"), True),
    "LV": (_("Latvia"), _("in Latvia"), True),
    "LT": (_("Lithuania"), _("in Lithuania"), True),
    "LU": (_("Luxembourg"), _("in Luxembourg"), True),
    "MT": (_("Malta"), _("in Malta"), True),
    "NL": (_("Netherlands"), _("in the Netherlands"), True),
    "PL": (_("Poland"), _("in Poland"), True),
    "PT": (_("Portugal"), _("in Portugal"), True),
    "CZ": (_("Czechia"), _("in Czechia"), True),
    "RO": (_("Romania"), _("in Romania"), True),
    "SK": (_("Slovakia"), _("in Slovakia"), True),
    "SI": (_("Slovenia"), _("in Slovenia"), True),
    "SE": (_("Sweden"), _("in Sweden"), True),
    # The EEA outside the EU: the GDPR applies there too.
    "IS": (_("Iceland"), _("in Iceland"), True),
    "LI": (_("Liechtenstein"), _("in Liechtenstein"), True),
    "NO": (_("Norway"), _("in Norway"), True),
    "CH": (_("Switzerland"), _("in Switzerland"), False),
    "GB": (_("United Kingdom"), _("in the United Kingdom"), False),
    "US": (_("United States"), _("in the United States"), False),
    "CA": (_("Canada"), _("in Canada"), False),
    "other": (_("another country outside the EU"), _("in a country outside the EU"), False),
}
PLACE_CHOICES = [(code, name) for code, (name, _where, _eu) in PLACES.items()]

# What each kind declares; None: it depends on the server's address (see place_of).
KIND_PLACES = {
    Kind.OFFLINE: TOWN,
    Kind.OPENAI: "US",
    Kind.ANTHROPIC: "US",
    Kind.MISTRAL: "FR",
    Kind.OPENAI_COMPATIBLE: None,
}
# The kinds whose place the admins declare on the privacy page.
EDITABLE_KINDS = (Kind.OPENAI_COMPATIBLE,)
# Who runs each kind, as residents know them; other kinds: the name the admins gave.
VENDORS = {Kind.OPENAI: "OpenAI", Kind.ANTHROPIC: "Anthropic", Kind.MISTRAL: "Mistral AI"}
# Known public OpenAI-compatible services: their host -> where they process.
KNOWN_HOSTS = {"albert.api.etalab.gouv.fr": "FR"}


@dataclass(frozen=True)
class Place:
    provider: str  # the provider's name
    kind: str
    code: str  # a PLACES code, or UNKNOWN
    source: str  # "kind", "address", "town" (declared by an admin) or "missing"
    role: str  # "active" or "fallback"
    config_id: int | None = None

    @property
    def vendor(self) -> str:
        return VENDORS.get(self.kind, self.provider)

    @property
    def name(self) -> str:
        return str(PLACES[self.code][0] if self.code else _("not declared"))

    @property
    def where(self) -> str:
        """ "in the United States", "on the town hall's server", "in a place not declared"."""
        return str(PLACES[self.code][1] if self.code else _("in a place not declared"))

    @property
    def in_eu(self) -> bool:
        """Inside the EU/EEA; a place not declared is not taken as inside."""
        return bool(self.code) and PLACES[self.code][2]

    @property
    def at_town(self) -> bool:
        return self.code == TOWN

    @property
    def editable(self) -> bool:
        return self.kind in EDITABLE_KINDS and self.config_id is not None


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def place_of(config: ProviderConfig, declared: str = UNKNOWN) -> tuple[str, str]:
    """(place code, where the answer comes from) for one provider setting."""
    if declared and config.kind in EDITABLE_KINDS:
        return declared, "town"
    fixed = KIND_PLACES.get(config.kind)
    if fixed is not None:
        return fixed, "kind"
    host = (urlsplit(config.effective_base_url()).hostname or "").lower()
    if host in KNOWN_HOSTS:
        return KNOWN_HOSTS[host], "address"
    if host and _local_host(host):
        return TOWN, "address"
    return UNKNOWN, "missing"


def chain_configs() -> list[ProviderConfig]:
    """The enabled providers as providers.registry.configured_chain() orders them, up to the
    first offline one; an unsaved offline setting ends the list when none is enabled
    (the built-in offline provider). Settings only: no SDK import, no key decrypted."""
    found = []
    for config in ProviderConfig.objects.filter(enabled=True).order_by("order", "id"):
        found.append(config)
        if config.kind == Kind.OFFLINE:
            return found
    return [*found, ProviderConfig(name="offline", kind=Kind.OFFLINE)]


def chain_places(declared: dict[int, str]) -> list[Place]:
    """Where each provider of the chain processes questions; `declared`: config id -> the
    place an admin declared (privacy.models.ProviderLocation)."""
    places = []
    for index, config in enumerate(chain_configs()):
        code, source = place_of(config, declared.get(config.pk, UNKNOWN))
        places.append(
            Place(
                provider=config.name if config.pk else str(_("built-in offline provider")),
                kind=config.kind,
                code=code,
                source=source,
                role="active" if index == 0 else "fallback",
                config_id=config.pk,
            )
        )
    return places
