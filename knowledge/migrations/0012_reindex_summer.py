"""Index every passage again: the analyzer keeps "été" the summer ("l'été", "en été")."""

from django.db import migrations


def reindex(apps, schema_editor):
    from knowledge.ingest import reindex as index_again

    index_again()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0011_reindex_town_hall_stem")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
