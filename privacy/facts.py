"""Gather the facts the page, the record and the notice state, from the running setup."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accesscodes import codeformat

from . import access, locations, outbound, retention
from .models import ProviderLocation, RecordSettings
from .tables import PEOPLE, TABLES, Table


@dataclass
class TableFacts:
    table: Table
    keep: retention.Keep
    seen_by: dict

    @property
    def people(self) -> str:
        return PEOPLE[self.table.people]


@dataclass
class Facts:
    town: str
    record: RecordSettings
    tables: list[TableFacts]
    keeps: list[retention.Keep]
    tasks: list[dict]
    places: list[locations.Place]
    leaves: list[str]
    never: list[str]
    typed: str
    measures: dict[str, list[str]]
    warnings: list[str] = field(default_factory=list)
    generated_at: object = None

    @property
    def outside_eu(self) -> list[locations.Place]:
        return [place for place in self.places if not place.in_eu]

    @property
    def all_at_town(self) -> bool:
        return all(place.at_town for place in self.places)


def web_access_log_on() -> bool:
    """uvicorn's access log is on in this process: it writes each visitor's IP address."""
    logger = logging.getLogger("uvicorn.access")
    return bool(logger.handlers) and logger.isEnabledFor(logging.INFO)


def measures() -> dict[str, list[str]]:
    """Security measures under the CNIL record's headings, from the settings in force."""
    bits = codeformat.BODY_LENGTH * int(math.log2(len(codeformat.ALPHABET)))
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1].replace("PasswordHasher", "")
    https = (
        f"HTTPS imposé, HSTS pendant {settings.SECURE_HSTS_SECONDS // 86400} jours, cookies "
        "marqués Secure, HttpOnly et SameSite=Lax"
        if settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE
        else "HTTPS n'est pas imposé par l'application (mode développement, ou assuré par le "
        "proxy de la mairie) : à vérifier"
    )
    return {
        "Contrôle d'accès des utilisateurs": [
            f"habitants : code anonyme tiré au hasard ({bits} bits) ; agents : compte "
            "personnel et rôle (guichet, communication, administrateurs), vérifié à chaque page",
            f"essais de connexion limités ({settings.SIGNIN_RATE} par réseau), puis blocage "
            "de plus en plus long",
            f"mots de passe des agents hachés ({hasher})",
        ],
        "Mesures de traçabilité": [
            "journal des actions des agents sur les codes et les réglages",
            "journal des modifications faites dans l'administration technique",
            "aucun texte de question ou de réponse dans les journaux ni en base",
        ],
        "Mesures de protection des logiciels": [
            "politique de sécurité du contenu stricte (aucun script extérieur)",
            "documents déposés vérifiés (taille, type réel, archives piégées)",
            "adresses web lues par le serveur limitées à l'internet public",
        ],
        "Sauvegarde des données": [
            "à la charge de la mairie : sauvegarder la base de données et le dossier des "
            "documents déposés (à compléter)",
        ],
        "Chiffrement des données": [
            https,
            "codes d'accès et empreintes d'appareils : empreintes HMAC avec une clé secrète",
            "clés d'accès aux fournisseurs chiffrées en base",
        ],
        "Contrôle des sous-traitants": [
            "fournisseurs d'intelligence artificielle : voir « Destinataires » ; contrat et "
            "conditions de traitement à joindre par la mairie (à compléter)",
        ],
    }


def warnings(record, places, keeps) -> list[str]:
    """What the admins should act on, in the page's language."""
    found = []
    for place in places:
        if not place.in_eu:
            text = (
                _(
                    "The active provider “%(name)s” processes the questions %(where)s, outside the "
                    "European Union: this is a transfer outside the EU, to be covered by "
                    "safeguards and told to residents."
                )
                if place.role == "active"
                else _(
                    "The fallback provider “%(name)s” processes the questions %(where)s, "
                    "outside the European Union: this is a transfer outside the EU, to be "
                    "covered by safeguards and told to residents."
                )
            )
            found.append(text % {"name": place.provider, "where": place.where})
    for keep in keeps:
        if keep.unenforced:
            found.append(
                _("%(what)s: no scheduled task applies the time limit (%(rule)s).")
                % {"what": keep.what, "rule": keep.text()}
            )
    if web_access_log_on():
        found.append(
            _(
                "The web server's access log (uvicorn) is on: it writes every visitor's IP "
                "address. Start uvicorn with --no-access-log."
            )
        )
    if not record.dpo.strip():
        found.append(_("The data protection officer is not filled in."))
    return found


def chain_places() -> list[locations.Place]:
    declared = dict(ProviderLocation.objects.values_list("provider_id", "place"))
    return locations.chain_places(declared)


def staff_bar_note() -> str:
    """ "⚠ outside the EU" while a provider of the chain processes questions outside it."""
    return _("⚠ outside the EU") if any(not p.in_eu for p in chain_places()) else ""


def gather(limits: outbound.QuestionLimits) -> Facts:
    record = RecordSettings.current()
    places = chain_places()
    known = access.pages()
    tables = [
        TableFacts(table, retention.BY_KEY[table.keep], access.seen_by(table, known))
        for table in TABLES.values()
    ]
    return Facts(
        town=settings.TOWN_NAME,
        record=record,
        tables=tables,
        keeps=retention.KEEPS,
        tasks=retention.beat_tasks(),
        places=places,
        leaves=outbound.leaves(limits),
        never=outbound.never_leaves(),
        typed=outbound.typed_by_resident(),
        measures=measures(),
        warnings=warnings(record, places, retention.KEEPS),
        generated_at=timezone.localtime(),
    )
