"""Index every passage again: the analyzer tells "mairie" (town hall) from "maire" (mayor)."""

from django.db import migrations


def reindex(apps, schema_editor):
    from knowledge.ingest import reindex as index_again

    index_again()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0010_feedback")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
