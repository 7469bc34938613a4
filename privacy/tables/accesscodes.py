"""What the access codes' tables hold: codes, counters, the audit log, the sharing signals."""

from .base import (
    AGENTS,
    NOBODY,
    RESIDENTS,
    Table,
    content,
    pseudonym,
    secret,
    setting,
    staff,
    technical,
    usage,
)

TABLES = [
    Table(
        "accesscodes.Site",
        "Lieux de remise des codes",
        "Un guichet où les agents remettent des codes : maison de quartier, mairie.",
        NOBODY,
        "setting",
        {
            "name": content("nom du guichet"),
            "address": content("adresse du guichet (pas celle d'un habitant)"),
        },
        shown_on=("accesscodes:desk",),
    ),
    Table(
        "accesscodes.AccessCode",
        "Codes d'accès des habitants",
        "Un code remis à un habitant. Rien n'y dit qui le détient : ni nom, ni adresse.",
        RESIDENTS,
        "code",
        {
            "digest": secret(
                "empreinte du code (HMAC avec une clé secrète) : le code lui-même n'est jamais "
                "enregistré"
            ),
            "number": pseudonym("numéro d'ordre du code (« N° 0042 »), imprimé sur le ticket"),
            "site": technical("guichet qui l'a remis"),
            "status": usage("état : actif, suspendu, révoqué ou expiré"),
            "issued_at": usage("date de remise"),
            "issued_by": staff("agent qui l'a remis"),
            "expires_at": usage("date de fin de validité, s'il y en a une"),
            "status_changed_at": usage("date du dernier changement d'état"),
            "session_epoch": technical(
                "compteur de changements d'état : une suspension termine les sessions ouvertes"
            ),
            "replaces": pseudonym("code perdu qu'il remplace"),
            "monthly_tokens": setting("quota mensuel propre à ce code (vide : celui de la ville)"),
            "monthly_eur": setting("plafond mensuel en euros propre à ce code"),
            "daily_tokens": setting("quota journalier propre à ce code"),
            "flagged_at": usage("date à laquelle un usage inhabituel a été signalé"),
            "flag_reasons": usage(
                "raisons du signalement, en chiffres (appareils par jour, questions par heure)"
            ),
        },
        shown_on=("accesscodes:code", "spend-code", "spend"),
    ),
    Table(
        "accesscodes.AuditEntry",
        "Journal des actions des agents",
        "Une action d'un agent sur un code ou sur un réglage. Aucun habitant n'y figure.",
        AGENTS,
        "audit",
        {
            "at": usage("date et heure de l'action"),
            "actor": staff("compte de l'agent"),
            "actor_name": staff("identifiant de l'agent au moment de l'action"),
            "action": usage("nature de l'action : remise, suspension, révocation, réglage…"),
            "code": pseudonym("code concerné"),
            "label": pseudonym("numéro du code concerné (« N° 0042 »)"),
            "detail": usage("précision saisie par le système (jamais le code en clair)"),
        },
        shown_on=("accesscodes:audit", "accesscodes:code"),
    ),
    Table(
        "accesscodes.ClientSighting",
        "Traces d'appareils (empreintes salées)",
        "Un code vu depuis un appareil un jour donné, pour repérer un code partagé.",
        RESIDENTS,
        "sighting",
        {
            "code": pseudonym("code utilisé"),
            "day": usage("jour"),
            "fingerprint": secret(
                "empreinte salée du réseau (adresse IP tronquée) et du navigateur : jamais "
                "l'adresse IP, et impossible à relier d'un jour à l'autre"
            ),
            "requests": usage("nombre de questions ce jour-là depuis cet appareil"),
        },
    ),
    Table(
        "accesscodes.DailySalt",
        "Sels du jour des empreintes",
        "Le nombre aléatoire qui sale les empreintes d'un jour, effacé le lendemain.",
        NOBODY,
        "salt",
        {"day": technical("jour"), "salt": secret("valeur aléatoire du jour")},
    ),
    Table(
        "accesscodes.SuspensionSignal",
        "Suspensions automatiques déjà faites",
        "Un type de signal pour lequel un code a été suspendu automatiquement un mois donné.",
        RESIDENTS,
        "signal",
        {
            "code": pseudonym("code suspendu"),
            "month": usage("mois"),
            "kind": usage("type de signal : appareils, rafale de questions, usage très élevé"),
        },
    ),
]
