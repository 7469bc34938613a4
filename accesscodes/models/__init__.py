"""Models of the accesscodes app: codes and the audit log, then usage, quotas and reservations."""

from .codes import AccessCode, AuditEntry, Site
from .metering import (
    BudgetAlert,
    ClientSighting,
    DailySalt,
    Ledger,
    QuotaSettings,
    Reservation,
    UsageRecord,
)

__all__ = [
    "AccessCode",
    "AuditEntry",
    "BudgetAlert",
    "ClientSighting",
    "DailySalt",
    "Ledger",
    "QuotaSettings",
    "Reservation",
    "Site",
    "UsageRecord",
]
