"""The processing-record entry (fiche de registre) under the CNIL template's headings, as
sections of (label, value) rows that the Word and PDF exports both lay out."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.text import capfirst

from .access import ROLE_NAMES
from .facts import Facts
from .tables import CATEGORIES, PEOPLE

TO_FILL = "À compléter par la mairie."
PURPOSES = [
    (
        "Finalité principale",
        "répondre aux questions des habitants sur la vie de la commune, à "
        "partir des documents publics de la ville, par un assistant conversationnel",
    ),
    (
        "Sous-finalité 1",
        "remettre aux habitants des codes d'accès anonymes et les gérer aux guichets",
    ),
    (
        "Sous-finalité 2",
        "mesurer l'usage (chiffres seulement) pour tenir les quotas et le budget mensuel",
    ),
    ("Sous-finalité 3", "repérer un code partagé ou détourné (empreintes salées d'appareils)"),
    ("Sous-finalité 4", "tracer les actions des agents sur les codes et les réglages"),
]
# Categories of data that concern people (the others describe the town's content and setup).
PERSONAL = ("pseudonym", "request", "usage", "staff", "secret")


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str | list[str]]]


def _data_categories(facts: Facts) -> list[tuple[str, list[str]]]:
    """Each personal category with the tables and fields in it, and their retention."""
    rows = []
    for category in PERSONAL:
        lines = []
        for item in facts.tables:
            names = [f.text for f in item.table.fields.values() if f.category == category]
            if names and item.table.people != "nobody":
                lines.append(
                    f"{item.table.name} : {', '.join(names)} (conservation : {item.keep.text()})"
                )
        if lines:
            rows.append((CATEGORIES[category], lines))
    return rows


def _recipients(facts: Facts) -> list[tuple[str, str | list[str]]]:
    internal = []
    for item in facts.tables:
        who = [
            f"{role_label}: {', '.join(str(t) for t in titles)}"
            for role_label, titles in _labelled(item.seen_by)
            if titles
        ]
        if who and item.table.people != "nobody":
            internal.append(f"{item.table.name} — " + " ; ".join(who))
    external = [
        f"{place.provider} ({'actif' if place.role == 'active' else 'de secours'}) : "
        f"traitement {place.where}"
        for place in facts.places
    ]
    return [
        ("Destinataires internes", internal),
        ("Sous-traitants (fournisseurs d'intelligence artificielle)", external),
        ("Ce qui leur est envoyé à chaque question", facts.leaves),
        ("Ce qui ne leur est jamais envoyé", [*facts.never, facts.typed]),
    ]


def _labelled(seen_by: dict):
    return [
        (str(ROLE_NAMES.get(role, "Superutilisateur")), titles) for role, titles in seen_by.items()
    ]


def _transfers(facts: Facts) -> list[tuple[str, str | list[str]]]:
    if not facts.outside_eu:
        return [
            (
                "Transferts hors UE",
                "Aucun : chaque fournisseur traite les questions dans "
                "l'Union européenne ou sur le serveur de la mairie.",
            )
        ]
    rows = []
    for place in facts.outside_eu:
        rows += [
            (
                "Destinataire",
                f"{place.provider} ({place.vendor})"
                if place.vendor != place.provider
                else place.provider,
            ),
            ("Pays", place.name if place.code else "non déclaré (à compléter)"),
            ("Type de garanties", facts.record.transfer_safeguards.strip() or TO_FILL),
        ]
    return rows


def _kept(keep) -> str:
    text = keep.text()
    if keep.schedule():
        text += f" (appliquée par la tâche {keep.task}, {keep.schedule()})"
    elif keep.unenforced:
        text += " (aucune tâche planifiée ne l'applique)"
    return f"{text}. {keep.note}" if keep.note else text


def _capitalised(section: Section) -> Section:
    rows = [
        (label, capfirst(value) if isinstance(value, str) else [capfirst(v) for v in value])
        for label, value in section.rows
    ]
    return Section(section.title, rows)


def sections(facts: Facts) -> list[Section]:
    """The record's sections, in the order of the CNIL's template."""
    return [_capitalised(section) for section in _sections(facts)]


def _sections(facts: Facts) -> list[Section]:
    record = facts.record
    basis = record.get_legal_basis_display()
    people = sorted(
        {PEOPLE[item.table.people] for item in facts.tables if item.table.people != "nobody"}
    )
    return [
        Section(
            "Description du traitement",
            [
                (
                    "Nom du traitement",
                    f"Assistant en ligne de la mairie de {facts.town} (ArcaChat)",
                ),
                ("Mise à jour", formats.date_format(facts.generated_at, "j F Y")),
            ],
        ),
        Section(
            "Acteurs",
            [
                ("Responsable du traitement", record.controller_text()),
                ("Délégué à la protection des données", record.dpo.strip() or TO_FILL),
            ],
        ),
        Section(
            "Finalité(s) du traitement effectué",
            [
                *PURPOSES,
                ("Base légale", f"{basis}. {record.basis_detail.strip()}".strip()),
            ],
        ),
        Section("Catégories de personnes concernées", [("Personnes", people)]),
        Section(
            "Catégories de données personnelles concernées",
            [
                *_data_categories(facts),
                ("Données sensibles", "Aucune n'est collectée ni gardée. " + facts.typed),
            ],
        ),
        Section("Destinataires", _recipients(facts)),
        Section("Transferts des données hors UE", _transfers(facts)),
        Section("Durées de conservation", [(keep.what, _kept(keep)) for keep in facts.keeps]),
        Section("Mesures de sécurité", list(facts.measures.items())),
    ]
