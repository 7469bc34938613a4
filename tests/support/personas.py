"""The named staff of the tests, one per role (as in the README), all with one password.

- corinne: counter staff at the Maison de quartier des Dunes, issues access codes;
- marius: comms team, uploads the magazine and edits the system prompt;
- aline: agent at the town hall, replies to the questions residents send to the town;
- adele: admin, chooses providers, prices, quotas and watches spend (the only staff status).

Fixtures of the same names (fixtures.py) create them in the test database, which the app
served in a thread (the `site` fixture) reads too. In a live app's own database:
`db.shell("from tests.support.personas import create_persona; create_persona('adele')")`.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "correct horse battery"
ROLES = {"corinne": "counter", "marius": "comms", "aline": "agents", "adele": "admins"}


def create_persona(name: str):
    """The staff account `name` (a key of ROLES) in its role's group; returns the user."""
    role = ROLES[name]
    user = get_user_model().objects.create_user(name, password=PASSWORD, is_staff=role == "admins")
    user.groups.add(Group.objects.get(name=role))
    return user
