"""What metering's tables hold: quotas, running totals, reservations, usage, budget alerts."""

from .base import AGENTS, NOBODY, RESIDENTS, Table, pseudonym, setting, staff, technical, usage

TABLES = [
    Table(
        "metering.QuotaSettings",
        "Budget et quotas de la ville",
        "Une seule ligne : le budget mensuel et les quotas par code, réglés par les "
        "administrateurs.",
        AGENTS,
        "setting",
        {
            "monthly_budget_eur": setting("budget mensuel en euros"),
            "code_monthly_tokens": setting("quota mensuel par code, en jetons"),
            "code_monthly_eur": setting("plafond mensuel par code, en euros"),
            "code_daily_tokens": setting("quota journalier par code"),
            "offline_when_paused": setting("répondre par des extraits quand le budget est épuisé"),
            "auto_suspend_flagged": setting("suspendre automatiquement les codes signalés"),
            "alert_emails": staff("adresses e-mail des agents qui reçoivent les alertes"),
            "updated_at": technical("date de la dernière modification"),
        },
        shown_on=("spend-quotas",),
    ),
    Table(
        "metering.Ledger",
        "Compteurs de consommation",
        "Le total consommé et réservé d'une période : le mois de la ville, le mois ou le jour "
        "d'un code.",
        RESIDENTS,
        "usage",
        {
            "key": pseudonym("période et numéro interne du code (« code:42:2026-11 »)"),
            "code": pseudonym("code concerné (vide pour la ville)"),
            "period": usage("mois ou jour"),
            "used_tokens": usage("jetons consommés"),
            "used_micros": usage("coût consommé"),
            "reserved_tokens": usage("jetons réservés pour des réponses en cours"),
            "reserved_micros": usage("coût réservé pour des réponses en cours"),
        },
        shown_on=("spend", "spend-code"),
    ),
    Table(
        "metering.Reservation",
        "Réservations de réponses en cours",
        "Le coût maximal d'une réponse en cours d'écriture, effacé dès qu'elle est finie.",
        RESIDENTS,
        "reservation",
        {
            "code": pseudonym("code qui a posé la question (vide pour un brouillon d'agent)"),
            "created_at": usage("début de la réponse"),
            "expires_at": technical("date après laquelle la réservation est libérée"),
            "tokens": usage("jetons réservés"),
            "output_tokens": usage("longueur maximale de la réponse demandée au fournisseur"),
            "micros": usage("coût réservé"),
            "extra_micros": usage("coût réservé pour les fournisseurs de secours"),
            "ledger_keys": technical("compteurs concernés"),
            "provider": technical("premier fournisseur payant de la chaîne"),
            "kind": technical("type de ce fournisseur"),
            "model": technical("modèle de ce fournisseur"),
        },
    ),
    Table(
        "metering.UsageRecord",
        "Consommation par question",
        "Une question répondue (ou échouée) : des chiffres seulement, jamais le texte de la "
        "question ni de la réponse.",
        RESIDENTS,
        "usage",
        {
            "code": pseudonym("code qui a posé la question"),
            "at": usage("date et heure"),
            "provider": technical("fournisseur qui a répondu"),
            "kind": technical("type de fournisseur"),
            "model": technical("modèle utilisé"),
            "input_tokens": usage("taille de la demande, en jetons"),
            "output_tokens": usage("taille de la réponse, en jetons"),
            "cached_tokens": usage("jetons déjà en cache chez le fournisseur"),
            "estimated": technical("chiffres estimés (le fournisseur n'a rien dit)"),
            "cost_micros": usage("coût"),
            "price": technical("tarif appliqué"),
            "outcome": usage("issue : répondu, interrompu, échoué"),
            "latency_ms": usage("temps de réponse"),
            "line": usage("question d'un habitant ou brouillon de réponse pour un agent"),
        },
        shown_on=("spend", "spend-code", "spend-csv"),
    ),
    Table(
        "metering.InputRatio",
        "Étalonnage des décomptes des fournisseurs",
        "Pour un fournisseur et un modèle, le rapport entre les jetons qu'il a comptés pour une "
        "question récente et notre estimation : un chiffre, sans lien avec la question ni le "
        "code. Seuls les plus récents sont gardés (METER_CALIBRATION_WINDOW), chacun remplaçant "
        "le plus ancien.",
        NOBODY,
        "setting",
        {
            "provider": technical("fournisseur"),
            "model": technical("modèle"),
            "slot": technical("place dans la série des rapports récents"),
            "ratio": technical("jetons comptés par le fournisseur / jetons estimés"),
            "at": technical("date de la question"),
        },
    ),
    Table(
        "metering.BudgetAlert",
        "Alertes de budget envoyées",
        "Une alerte déjà envoyée aux administrateurs (80 % ou 100 % du budget d'un mois).",
        NOBODY,
        "alert",
        {
            "month": usage("mois"),
            "level": usage("seuil atteint"),
            "sent_at": technical("date d'envoi"),
        },
    ),
]
