"""The registry's vocabulary: field categories, whose data a table holds, Table and Field."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings

# Categories of a field, in the words of the record (privacy/record.py groups fields by them).
PSEUDONYM = "pseudonym"
USAGE = "usage"
STAFF = "staff"
REQUEST = "request"
CONTENT = "content"
SETTING = "setting"
SECRET = "secret"  # noqa: S105 - a category name, not a password
TECHNICAL = "technical"
CATEGORIES = {
    PSEUDONYM: "Identifiant pseudonyme d'un habitant (jamais son nom)",
    REQUEST: "Ce qu'un habitant a écrit à la mairie",
    USAGE: "Mesure d'usage du service (chiffres, dates)",
    STAFF: "Donnée d'un agent de la mairie",
    CONTENT: "Contenu public de la ville",
    SETTING: "Réglage du service",
    SECRET: "Secret (aléatoire, haché ou chiffré)",
    TECHNICAL: "Donnée technique",
}
# Whose data a table holds.
RESIDENTS = "residents"
AGENTS = "agents"
NOBODY = "nobody"
PEOPLE = {
    RESIDENTS: "Habitants (pseudonymes)",
    AGENTS: "Agents de la mairie",
    NOBODY: "Aucune personne",
}
# Django's apps whose tables we use, described here like ours.
DJANGO_APPS = ("admin", "auth", "contenttypes", "sessions")


@dataclass(frozen=True)
class Field:
    category: str
    text: str

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]


def pseudonym(text: str) -> Field:
    return Field(PSEUDONYM, text)


def request_text(text: str) -> Field:
    return Field(REQUEST, text)


def usage(text: str) -> Field:
    return Field(USAGE, text)


def staff(text: str) -> Field:
    return Field(STAFF, text)


def content(text: str) -> Field:
    return Field(CONTENT, text)


def setting(text: str) -> Field:
    return Field(SETTING, text)


def secret(text: str) -> Field:
    return Field(SECRET, text)


def technical(text: str) -> Field:
    return Field(TECHNICAL, text)


ROW_NUMBER = technical("numéro de la ligne")


@dataclass(frozen=True)
class Table:
    model: str  # "app_label.ModelName"
    name: str  # plain French name of what the table holds
    about: str  # what one row is
    people: str  # RESIDENTS, AGENTS or NOBODY
    keep: str  # key of its retention in privacy.retention.KEEPS
    fields: dict[str, Field]
    shown_on: tuple[str, ...] = ()  # URL names of staff pages showing it (Django admin: found)

    @property
    def app_label(self) -> str:
        return self.model.split(".")[0]

    def describe(self, name: str) -> Field | None:
        """A field's description; a model's automatic row number needs none."""
        if name in self.fields:
            return self.fields[name]
        model = apps.get_model(self.model)
        pk = model._meta.pk
        return ROW_NUMBER if pk.name == name and pk.auto_created else None


def schema_fields(model) -> list[str]:
    """The names of a model's own columns and many-to-many links (reverse links excluded)."""
    return [f.name for f in model._meta.get_fields() if f.concrete or not f.auto_created]


def described_apps() -> list[str]:
    """Apps whose tables must be described: ours (INSTALLED_APPS without a dot) and Django's."""
    ours = [app for app in settings.INSTALLED_APPS if "." not in app]
    return [*ours, *DJANGO_APPS]


def concrete_models() -> list:
    wanted = set(described_apps())
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in wanted and not model._meta.abstract and not model._meta.proxy
    ]
