"""How long each kind of data is kept, the setting that says it and the task that enforces it.

Each `Keep` names a setting (its live value is read at every call, so a change shows at
once) and the Celery task that deletes what is past it; the task's schedule is read from
CELERY_BEAT_SCHEDULE. A kind of data kept with no time limit says so (the page flags it),
and so does a limit no scheduled task enforces. Tables point at these by key.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery.schedules import crontab
from django.conf import settings

from townhall.insight import KEEP_WEEKS

DAY = 24 * 3600


@dataclass(frozen=True)
class Keep:
    key: str
    what: str  # plain French: what is kept
    rule: str  # plain French, "{n}" stands for the setting's value
    setting: str = ""  # the setting holding the duration
    per: int = 1  # the setting's value is divided by this (seconds -> days: DAY)
    task: str = ""  # the Celery task that deletes what is past the limit
    limited: bool = True  # False: kept with no time limit
    note: str = ""

    def value(self):
        if not self.setting:
            return None
        raw = getattr(settings, self.setting)
        return raw // self.per if self.per > 1 else raw

    def text(self) -> str:
        return self.rule.format(n=self.value())

    def schedule(self) -> str | None:
        """When the enforcing task runs, from the beat schedule; None when not scheduled."""
        return task_schedule(self.task) if self.task else None

    @property
    def unenforced(self) -> bool:
        """A time limit that no scheduled task applies."""
        return self.limited and self.schedule() is None


KEEPS = [
    Keep(
        "sighting",
        "Traces d'appareils (empreintes salées)",
        "{n} jours",
        setting="SHARING_KEEP_DAYS",
        task="accesscodes.forget_old_salts",
    ),
    Keep(
        "salt",
        "Sels du jour des empreintes",
        "jusqu'à la fin du jour : les empreintes d'un jour passé ne peuvent plus être recalculées",
        task="accesscodes.forget_old_salts",
    ),
    Keep(
        "reservation",
        "Réservations de réponses en cours",
        "jusqu'à la fin de la réponse ; {n} minutes au plus si le serveur s'est arrêté",
        setting="METER_RESERVATION_MINUTES",
        task="metering.release_stale_reservations",
    ),
    Keep(
        "session",
        "Sessions de connexion",
        "{n} jours au plus après la dernière connexion",
        setting="SESSION_COOKIE_AGE",
        per=DAY,
        task="accesscodes.clear_expired_sessions",
    ),
    Keep(
        "town-request",
        "Demandes des habitants à la mairie (textes et lien avec le code)",
        "jusqu'à la réponse, puis {n} jours ; l'habitant peut les supprimer avant",
        setting="TOWNHALL_KEEP_DAYS",
        task="townhall.purge",
    ),
    Keep(
        "answer-signal",
        "Signaux anonymes des réponses (semaine, certitude, documents)",
        f"{KEEP_WEEKS} semaines",
        task="townhall.purge",
    ),
    Keep(
        "code",
        "Codes d'accès",
        "sans limite de durée : un code révoqué ou expiré reste en base, sans rien qui dise "
        "à qui il a été remis",
        limited=False,
    ),
    Keep(
        "usage",
        "Consommation par question et compteurs",
        "sans limite de durée : ce sont des chiffres, pour le budget et les bilans mensuels",
        limited=False,
    ),
    Keep(
        "signal",
        "Suspensions automatiques",
        "sans limite de durée (une ligne par code, mois et type de signal)",
        limited=False,
    ),
    Keep(
        "audit",
        "Journaux des actions des agents",
        "sans limite de durée",
        limited=False,
    ),
    Keep(
        "staff",
        "Comptes des agents",
        "jusqu'à la suppression du compte par un administrateur",
        limited=False,
    ),
    Keep(
        "document",
        "Documents publics de la ville",
        "jusqu'à leur suppression par l'équipe communication (une page disparue du site est "
        "retirée au passage suivant)",
        limited=False,
    ),
    Keep(
        "site-sync",
        "Comptes rendus des synchronisations de sites",
        "sans limite de durée",
        limited=False,
    ),
    Keep(
        "opinion",
        "Avis des habitants sur les réponses",
        "sans limite de durée : ni question, ni réponse, ni code, seulement le jour, l'avis, "
        "la raison et les documents cités",
        limited=False,
    ),
    Keep("alert", "Alertes de budget envoyées", "sans limite de durée", limited=False),
    Keep(
        "setting",
        "Réglages",
        "tant qu'ils servent ; remplacés à chaque modification",
        limited=False,
    ),
    Keep("schema", "Rôles, droits et types de données", "permanents (structure)", limited=False),
]
BY_KEY = {keep.key: keep for keep in KEEPS}

# Periodic tasks that delete nothing, and what they do with the data (the page lists them all).
OTHER_TASKS = {
    "metering.flag_codes": "calcule les signaux de partage des codes (appareils, rafales, "
    "usage très élevé) et signale ou suspend les codes concernés",
    "metering.check_budget": "compare la dépense du mois au budget et prévient les "
    "administrateurs à 80 % et 100 %",
    "metering.monthly_report": "envoie aux administrateurs le bilan chiffré du mois",
    "knowledge.release_stale_documents": "marque en échec les documents dont la lecture s'est "
    "arrêtée",
    "knowledge.sync_due_sites": "relit les sites web de la ville à leur fréquence",
}


def task_schedule(task: str) -> str | None:
    """When `task` runs, in plain French, from CELERY_BEAT_SCHEDULE; None if it does not."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"] == task:
            return plain_schedule(entry["schedule"])
    return None


def plain_schedule(schedule) -> str:
    """A beat schedule in plain French: an interval, a daily or monthly time, or a calendar."""
    if isinstance(schedule, crontab):
        return _plain_crontab(schedule)
    seconds = schedule.total_seconds() if hasattr(schedule, "total_seconds") else schedule
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "toutes les heures" if hours == 1 else f"toutes les {hours} heures"
    minutes = seconds / 60
    return "chaque minute" if minutes == 1 else f"toutes les {minutes:g} minutes"


def _plain_crontab(schedule: crontab) -> str:
    minutes, hours = sorted(schedule.minute), sorted(schedule.hour)
    every_month = len(schedule.month_of_year) == 12 and len(schedule.day_of_week) == 7
    if len(minutes) == 1 and len(hours) == 1 and every_month:
        at = f"à {hours[0]} h {minutes[0]:02d}"
        days = sorted(schedule.day_of_month)
        if len(days) == 31:
            return f"chaque jour {at}"
        if len(days) == 1:
            day = "1er" if days[0] == 1 else str(days[0])
            return f"le {day} de chaque mois {at}"
    return "selon un calendrier (voir CELERY_BEAT_SCHEDULE)"


def beat_tasks() -> list[dict]:
    """Every periodic task, when it runs and what it does with the data."""
    deletes = {}
    for keep in KEEPS:
        if keep.task:
            deletes.setdefault(keep.task, []).append(keep.what)
    rows = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = entry["task"]
        if task in deletes:
            does = "efface ce qui a dépassé sa durée : " + ", ".join(deletes[task]).lower()
        else:
            does = OTHER_TASKS.get(task, "")
        rows.append({"task": task, "when": plain_schedule(entry["schedule"]), "does": does})
    return rows
