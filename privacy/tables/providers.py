"""What the providers' tables hold: the providers chosen by the admins and their prices."""

from .base import NOBODY, Table, secret, setting, technical

TABLES = [
    Table(
        "providers.ProviderConfig",
        "Fournisseurs d'intelligence artificielle",
        "Un fournisseur choisi par les administrateurs, dans l'ordre où il répond.",
        NOBODY,
        "setting",
        {
            "name": setting("nom"),
            "kind": setting("type : OpenAI, Claude, Mistral, compatible OpenAI, hors ligne"),
            "model": setting("modèle"),
            "base_url": setting("adresse du service"),
            "api_key_env": setting("nom de la variable d'environnement qui tient la clé"),
            "api_key_encrypted": secret("clé d'accès au service, chiffrée"),
            "api_key_base_url": setting("adresse à laquelle la clé enregistrée peut être envoyée"),
            "max_output_tokens": setting("longueur maximale d'une réponse"),
            "timeout": setting("délai d'attente"),
            "order": setting("rang : le premier actif répond, les suivants le secourent"),
            "enabled": setting("actif ou non"),
            "supports_images": setting("accepte les photos"),
            "prompt_caching": setting("mise en cache des consignes chez le fournisseur"),
            "updated_at": technical("date de la dernière modification"),
        },
    ),
    Table(
        "providers.Price",
        "Tarifs des fournisseurs",
        "Le prix d'un fournisseur à partir d'une date, pour calculer le coût des réponses.",
        NOBODY,
        "setting",
        {
            "provider": setting("fournisseur"),
            "effective_from": setting("date d'effet"),
            "eur_per_million_input": setting("prix des demandes"),
            "eur_per_million_output": setting("prix des réponses"),
            "eur_per_million_cached_input": setting("prix des demandes déjà en cache"),
        },
    ),
]
