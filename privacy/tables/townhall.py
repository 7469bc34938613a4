"""What townhall's tables hold: services, residents' requests to the town hall and the agents'
replies, answer cards, the anonymous signals of the comms insight, and the agents' log."""

from .base import (
    AGENTS,
    NOBODY,
    RESIDENTS,
    Table,
    content,
    pseudonym,
    request_text,
    setting,
    staff,
    technical,
    usage,
)

TABLES = [
    Table(
        "townhall.Service",
        "Services de la mairie",
        "Un service auquel une demande ou une fiche réponse est confiée (déchets, état civil…).",
        NOBODY,
        "setting",
        {"name": setting("nom du service"), "active": setting("service encore utilisé")},
    ),
    Table(
        "townhall.TownRequest",
        "Demandes des habitants à la mairie",
        "Une question qu'un habitant a choisi d'envoyer à la mairie, et la réponse d'un agent. "
        "Liée au code d'accès seulement ; les textes sont effacés avec ce lien après le délai.",
        RESIDENTS,
        "town-request",
        {
            "code": pseudonym("code qui a envoyé la demande (effacé avec les textes)"),
            "question": request_text(
                "question de l'habitant (données personnelles masquées s'il l'a choisi)"
            ),
            "answer": request_text("réponse de l'assistant, si l'habitant l'a jointe"),
            "language": technical("langue de la page"),
            "created_at": usage("date d'envoi"),
            "due_on": usage("date de réponse attendue"),
            "service": technical("service chargé de la demande"),
            "status": usage("état : en attente, répondue, classée"),
            "draft": request_text("brouillon de réponse écrit par l'assistant pour l'agent"),
            "draft_sources": content("documents de la ville cités par le brouillon"),
            "draft_provider": technical("type de fournisseur qui a écrit le brouillon"),
            "drafted_at": usage("date du brouillon"),
            "reply": request_text("réponse de la mairie à l'habitant"),
            "ai_assisted": usage("réponse préparée avec l'aide de l'IA"),
            "handled_at": usage("date de la réponse de la mairie"),
            "handled_by": staff("agent qui a répondu ou classé"),
            "reply_seen_at": usage("date où l'habitant a lu la réponse"),
            "purged_at": technical("date d'effacement des textes"),
        },
        shown_on=("townhall:queue", "townhall:request", "townhall:cards", "townhall:insight"),
    ),
    Table(
        "townhall.AnswerCard",
        "Fiches réponses",
        "Une réponse courte validée par la mairie, publiée comme document de la ville.",
        NOBODY,
        "document",
        {
            "question": content("question type"),
            "answer": content("réponse validée"),
            "service": technical("service responsable"),
            "valid_until": content("date de fin de validité"),
            "document": technical("document publié"),
            "source_request": technical("demande d'origine (numéro)"),
            "published_by": staff("agent qui a publié"),
            "published_at": usage("date de publication"),
            "withdrawn_at": usage("date de retrait"),
        },
        shown_on=("townhall:cards",),
    ),
    Table(
        "townhall.AnswerSignal",
        "Signaux anonymes des réponses",
        "Une réponse donnée dans le chat : sa semaine, son degré de certitude et les documents "
        "utilisés ; ni texte, ni code, ni heure.",
        NOBODY,
        "answer-signal",
        {
            "week": usage("semaine (son lundi)"),
            "level": usage("certitude : sûre, peu sûre, non couverte, non mesurée"),
            "topics": content("documents et sections utilisés"),
        },
        shown_on=("townhall:insight",),
    ),
    Table(
        "townhall.LogEntry",
        "Journal des demandes et des fiches",
        "Ce qu'un agent a fait d'une demande ou d'une fiche : qui, quoi, quand ; jamais le texte.",
        AGENTS,
        "audit",
        {
            "at": usage("date et heure de l'action"),
            "actor": staff("compte de l'agent"),
            "actor_name": staff("identifiant de l'agent"),
            "action": usage("action"),
            "request_number": technical("numéro de la demande"),
            "card_number": technical("numéro de la fiche"),
            "count": usage("nombre de demandes concernées"),
        },
        shown_on=("townhall:log",),
    ),
]
