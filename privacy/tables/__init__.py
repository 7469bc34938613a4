"""What every table of the database holds, in plain French: the registry of the privacy page.

One entry per concrete model (ours, and Django's auth, sessions, admin and content types),
one line per field. The privacy page, the processing record and the resident notice read it;
tests/test_privacy_registry.py fails when a model gains a field the registry does not
describe, or when the registry describes a field or model that is gone.

To describe a new field, add one line to its model's entry in privacy/tables/<app>.py, with
the helper of its category (base.py: pseudonym, request_text, usage, staff, content, setting,
secret, technical):

    "answered_at": usage("date de la réponse de la mairie"),

To describe a new model, add a `Table(...)` to its app's file: the model's label, a plain
name, what one row is, whose data it is, its retention key (privacy/retention.py KEEPS), its
fields, and the URL names of the staff pages that show it. A new app gets a new file here,
listed in `TABLES` below.
"""

from . import accesscodes, django, embed, knowledge, metering, privacy, providers, townhall
from .base import CATEGORIES, PEOPLE, Field, Table, concrete_models, schema_fields

TABLES: dict[str, Table] = {
    table.model: table
    for module in (embed, accesscodes, metering, knowledge, providers, privacy, townhall, django)
    for table in module.TABLES
}


def undescribed(models=None) -> list[str]:
    """ "app.Model.field" for every column of `models` (default: every concrete model of the
    described apps) that the registry does not describe; "app.Model" for a model with no
    entry at all."""
    missing = []
    for model in models if models is not None else concrete_models():
        table = TABLES.get(model._meta.label)
        if table is None:
            missing.append(model._meta.label)
            continue
        missing += [
            f"{model._meta.label}.{name}"
            for name in schema_fields(model)
            if table.describe(name) is None
        ]
    return missing


def stale() -> list[str]:
    """Registry entries for models or fields that no longer exist."""
    live = {model._meta.label: set(schema_fields(model)) for model in concrete_models()}
    gone = []
    for label, table in TABLES.items():
        if label not in live:
            gone.append(label)
            continue
        gone += [f"{label}.{name}" for name in table.fields if name not in live[label]]
    return gone


__all__ = ["CATEGORIES", "PEOPLE", "TABLES", "Field", "Table", "stale", "undescribed"]
