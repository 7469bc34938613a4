"""What the embed app's table holds: the town sites allowed to show the assistant."""

from .base import NOBODY, Table, setting, technical

TABLES = [
    Table(
        "embed.AllowedSite",
        "Sites autorisés à afficher l'assistant",
        "L'adresse d'un site de la ville (par exemple celui de la mairie) dont les pages "
        "peuvent ouvrir l'assistant dans un panneau.",
        NOBODY,
        "setting",
        {
            "origin": setting("adresse du site"),
            "added_at": technical("date de l'ajout"),
        },
        shown_on=("embed:page",),
    ),
]
