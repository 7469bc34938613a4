"""Load the demo town and create demo staff accounts (printed once, demo mode only)."""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from core.roles import ADMINS, AGENTS, COMMS, COUNTER
from knowledge.demo import load_demo_town

DEMO_STAFF = (
    ("guichet", COUNTER, "Counter staff (issues access codes)"),
    ("communication", COMMS, "Comms team (documents, system prompt)"),
    ("agent", AGENTS, "Agent (answers residents' questions to the town hall)"),
    ("admin", ADMINS, "Admin (providers, prices, budget, spend)"),
)


class Command(BaseCommand):
    help = "Load the demo town's documents and create demo staff accounts (demo mode only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_setup only runs in demo mode (DEMO_MODE=1 or DEBUG=1).")
        added = load_demo_town()
        self.stdout.write(f"Demo town: {added} document(s) loaded.")
        for username, role, what in DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:<14} already exists ({what})")
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(username, password=password, is_staff=role == ADMINS)
            user.groups.add(Group.objects.get(name=role))
            self.stdout.write(f"  {username:<14} password: {password}   {what}")
        self.stdout.write(
            "Demo passwords are shown once; reset with: manage.py changepassword NAME"
        )
