"""The first services requests and cards are assigned to; admins edit the list afterwards."""

from django.db import migrations

# The town's own names for its services (data, in the town's language, not interface text).
SERVICES = (
    "Déchets et propreté",
    "État civil",
    "Seniors et solidarité",
    "Urbanisme",
    "Voirie et stationnement",
    "Enfance et écoles",
    "Culture et animations",
)


def add_services(apps, schema_editor):
    Service = apps.get_model("townhall", "Service")
    for name in SERVICES:
        Service.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("townhall", "0001_initial")]
    operations = [migrations.RunPython(add_services, migrations.RunPython.noop)]
