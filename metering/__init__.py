"""Metering: quotas, ledgers, reservations and usage records, budget alerts, spend pages."""
