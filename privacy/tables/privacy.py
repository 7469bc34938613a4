"""What the privacy app's own tables hold: the town's record entries, providers' places."""

from .base import NOBODY, Table, setting, technical

TABLES = [
    Table(
        "privacy.RecordSettings",
        "Fiche de registre : ce que seule la mairie peut dire",
        "Une seule ligne : responsable du traitement, délégué à la protection des données, "
        "base légale choisie, garanties des transferts.",
        NOBODY,
        "setting",
        {
            "controller": setting("responsable du traitement et ses coordonnées"),
            "dpo": setting("délégué à la protection des données et ses coordonnées"),
            "legal_basis": setting("base légale choisie par la mairie"),
            "basis_detail": setting("précision sur la base légale (délibération…)"),
            "transfer_safeguards": setting("garanties des transferts hors de l'UE"),
            "updated_at": technical("date de la dernière modification"),
        },
        shown_on=("privacy:page",),
    ),
    Table(
        "privacy.ProviderLocation",
        "Lieu de traitement déclaré des fournisseurs",
        "Le pays où un fournisseur compatible OpenAI traite les questions, déclaré par un "
        "administrateur.",
        NOBODY,
        "setting",
        {
            "provider": setting("fournisseur"),
            "place": setting("pays ou serveur de la mairie"),
            "updated_at": technical("date de la dernière modification"),
        },
        shown_on=("privacy:page",),
    ),
]
