"""Search index: a digest per row (copies of one passage are one candidate) and the row count
and total length in a one-row table kept by triggers (no scan of every row per question)."""

from django.db import migrations


def upgrade_index(apps, schema_editor):
    from knowledge.index import backend_for

    connection = schema_editor.connection
    backend_for(connection).create_town_index(connection)  # idempotent: adds what is missing


class Migration(migrations.Migration):
    # On main, after 0005_websites (merge: depend on it instead of 0004).
    dependencies = [("knowledge", "0008_answer_card_kind")]
    operations = [migrations.RunPython(upgrade_index, migrations.RunPython.noop)]
