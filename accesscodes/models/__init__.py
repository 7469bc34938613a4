"""Models of the accesscodes app: codes, issuing sites and the audit log, then sharing signals."""

from .codes import AccessCode, AuditEntry, Site
from .sharing import ClientSighting, DailySalt, SuspensionSignal

__all__ = ["AccessCode", "AuditEntry", "ClientSighting", "DailySalt", "Site", "SuspensionSignal"]
