"""Create the agents' role group (they reply to residents' requests); permissions follow migrate."""

from django.db import migrations

ROLE = "agents"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_staff_roles")]
    operations = [migrations.RunPython(create_group, remove_group)]
