"""Metering's tables move to the metering app (issue 12). Nothing changes in the database here:
this migration only forgets the models in accesscodes' state, and metering's first migration
takes them over, then renames the tables (metering/migrations/0001 and 0002)."""

from django.db import migrations

MOVED = ["usagerecord", "reservation", "ledger", "budgetalert", "quotasettings"]


class Migration(migrations.Migration):
    dependencies = [("accesscodes", "0002_failover_suspension_signals_budget_validators")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
            database_operations=[],
        )
    ]
