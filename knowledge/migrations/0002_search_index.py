"""Search index tables, created for the database in use: FTS5 on SQLite; on PostgreSQL, an
inverted index of postings in a covering B-tree (knowledge/index/postgres.py)."""

from django.db import migrations


def create_index(apps, schema_editor):
    from knowledge.index import backend_for

    backend_for(schema_editor.connection).create_town_index(schema_editor.connection)


def drop_index(apps, schema_editor):
    from knowledge.index import backend_for

    backend_for(schema_editor.connection).drop_town_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
