"""What leaves the town's server with each question, and what never does.

The question's own limits belong to arcachat (the top app, which this one cannot import):
arcachat/urls.py hands them to the privacy views as `QuestionLimits`. The prompt's limits are
the settings knowledge.prompt applies; they are read here only to be reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class QuestionLimits:
    message_chars: int  # arcachat.questions.MAX_MESSAGE_CHARS
    history_turns: int  # arcachat.questions.HISTORY_TURNS
    pdf_pages: int  # arcachat.attachments.MAX_PDF_PAGES
    pdf_chars: int  # arcachat.attachments.MAX_PDF_CHARS


def leaves(limits: QuestionLimits) -> list[str]:
    """What the provider receives with each question, in plain French."""
    return [
        f"la question de l'habitant, telle qu'il l'a écrite ({limits.message_chars} "
        "caractères au plus)",
        f"les derniers échanges de la conversation en cours, pour comprendre une question qui "
        f"y fait suite : {limits.history_turns} messages au plus, dans la limite d'environ "
        f"{settings.KNOWLEDGE_HISTORY_TOKENS} jetons",
        f"jusqu'à {settings.KNOWLEDGE_PASSAGES} extraits des documents publics de la ville, "
        "choisis pour la question",
        "un document joint par l'habitant : une photo (si le fournisseur accepte les images) "
        f"ou le texte d'un PDF ({limits.pdf_pages} pages et {limits.pdf_chars} caractères au "
        "plus)",
        "les consignes de la mairie, la date du jour, le contact de la mairie et la langue de "
        "la page",
    ]


def never_leaves() -> list[str]:
    """What no provider ever receives, in plain French."""
    return [
        "le code d'accès de l'habitant, en clair ou haché, et son numéro",
        "son adresse IP, l'empreinte de son appareil, son navigateur : c'est le serveur de la "
        "mairie qui appelle le fournisseur, en son propre nom",
        "son nom : la mairie ne le connaît pas, le code est anonyme",
        "les conversations passées : la mairie n'en garde aucune, la conversation reste dans "
        "l'onglet du navigateur",
        "les comptes, les réglages et les journaux de la mairie",
    ]


# What the chat page warns about before sending (static/js/pii.js); the resident may mask it.
WARNED_KINDS = {
    "EMAIL": "une adresse e-mail",
    "PHONE": "un numéro de téléphone",
    "IBAN": "des coordonnées bancaires (IBAN)",
    "NIR": "un numéro de sécurité sociale",
    "CARD": "un numéro de carte bancaire",
}


def typed_by_resident() -> str:
    kinds = list(WARNED_KINDS.values())
    return (
        "Ce que l'habitant écrit lui-même part tel quel. Avant l'envoi, le serveur de la mairie "
        "le vérifie (rien n'en est gardé) et la page le prévient si son message semble contenir "
        "un nom de personne, une adresse personnelle, une date de naissance, "
        f"{', '.join(kinds[:-1])} ou {kinds[-1]}, et lui propose de les masquer : rien ne part "
        "vers le fournisseur avant son choix. Si cette vérification ne répond pas, la page "
        "cherche elle-même les numéros et adresses e-mail."
    )
