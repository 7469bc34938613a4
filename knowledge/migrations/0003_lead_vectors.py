"""Lead vectors for dense fusion: the side table or column, then vectors for existing chunks."""

from django.db import migrations


def add_vectors(apps, schema_editor):
    from knowledge.index import backend_for
    from knowledge.vectors import encode_passages

    connection = schema_editor.connection
    backend = backend_for(connection)
    backend.create_town_index(connection)  # idempotent: adds what this version needs
    Chunk = apps.get_model("knowledge", "Chunk")
    missing = backend.missing_vectors(connection)
    for start in range(0, len(missing), 256):
        chunks = Chunk.objects.filter(pk__in=missing[start : start + 256]).select_related("document")
        texts = [(c.pk, f"{c.document.title}\n{c.heading}\n{c.text}") for c in chunks]
        leads = encode_passages([text for _, text in texts])
        backend.set_vectors(connection, [(pk, vec) for (pk, _), vec in zip(texts, leads, strict=True)])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]
    operations = [migrations.RunPython(add_vectors, migrations.RunPython.noop)]
