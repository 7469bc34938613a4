"""Fault suite (issue 8): provider faults, Redis down, database restarts, residents who leave."""
