"""What Django's own tables hold: staff accounts and roles, sessions, the admin's log."""

from .base import AGENTS, NOBODY, RESIDENTS, Table, pseudonym, secret, setting, staff, technical

TABLES = [
    Table(
        "auth.User",
        "Comptes des agents",
        "Un agent de la mairie qui se connecte à l'espace du personnel. Les habitants n'ont "
        "pas de compte.",
        AGENTS,
        "staff",
        {
            "password": secret("mot de passe haché (jamais en clair)"),
            "last_login": staff("dernière connexion"),
            "is_superuser": setting("tous les droits"),
            "username": staff("identifiant"),
            "first_name": staff("prénom (facultatif)"),
            "last_name": staff("nom (facultatif)"),
            "email": staff("adresse e-mail (facultative, pour les alertes de budget)"),
            "is_staff": setting("accès à l'administration technique"),
            "is_active": setting("compte actif"),
            "date_joined": staff("date de création du compte"),
            "groups": setting("rôles : guichet, communication, administrateurs"),
            "user_permissions": setting("droits particuliers"),
        },
    ),
    Table(
        "auth.Group",
        "Rôles",
        "Un rôle du personnel : guichet, communication, administrateurs.",
        NOBODY,
        "schema",
        {"name": setting("nom du rôle"), "permissions": setting("droits du rôle")},
    ),
    Table(
        "auth.Permission",
        "Droits",
        "Un droit sur un type de donnée (voir, ajouter, modifier, supprimer).",
        NOBODY,
        "schema",
        {
            "name": technical("libellé"),
            "content_type": technical("type de donnée"),
            "codename": technical("nom interne"),
        },
    ),
    Table(
        "contenttypes.ContentType",
        "Types de données",
        "La liste des tables, utilisée par les droits et le journal de l'administration.",
        NOBODY,
        "schema",
        {"app_label": technical("module"), "model": technical("table")},
    ),
    Table(
        "sessions.Session",
        "Sessions de connexion",
        "Une connexion en cours, d'un habitant (le numéro interne de son code) ou d'un agent.",
        RESIDENTS,
        "session",
        {
            "session_key": secret("clé aléatoire, gardée dans un cookie du navigateur"),
            "session_data": pseudonym(
                "numéro interne du code ou du compte connecté, langue, jetons des formulaires ; "
                "jamais le code en clair ni une question"
            ),
            "expire_date": technical("date d'expiration"),
        },
    ),
    Table(
        "admin.LogEntry",
        "Journal de l'administration technique",
        "Une modification faite dans l'administration technique (/admin/).",
        AGENTS,
        "audit",
        {
            "action_time": staff("date et heure"),
            "user": staff("agent qui a fait la modification"),
            "content_type": technical("type de donnée modifiée"),
            "object_id": technical("numéro de la ligne modifiée"),
            "object_repr": technical("nom de la ligne modifiée (par exemple « N° 0042 »)"),
            "action_flag": technical("ajout, modification ou suppression"),
            "change_message": technical("champs modifiés"),
        },
    ),
]
