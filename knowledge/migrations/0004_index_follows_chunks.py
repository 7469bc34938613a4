"""PostgreSQL: the search index follows deleted or truncated chunks by triggers, not a key."""

from django.db import migrations


def follow_chunks(apps, schema_editor):
    from knowledge.index import backend_for

    backend = backend_for(schema_editor.connection)
    if hasattr(backend, "_follow_chunks"):
        with schema_editor.connection.cursor() as cursor:
            backend._follow_chunks(cursor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_lead_vectors")]
    operations = [migrations.RunPython(follow_chunks, migrations.RunPython.noop)]
