"""`manage.py issue_codes --count N [--site NAME]`: new codes on stdout, one per line, nothing else.

For pre-printing slips elsewhere. Each code is recorded in the audit log as issued by the
system; errors go to stderr and stdout stays empty.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accesscodes.forms import MAX_BATCH
from accesscodes.models import AccessCode, AuditEntry, Site

MAX_COUNT = 10 * MAX_BATCH


class Command(BaseCommand):
    help = "Issue new access codes and print them, one per line (for pre-printed slips)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help=f"1 to {MAX_COUNT}")
        parser.add_argument("--site", help="name of the issuing site (counter)")

    def handle(self, *args, count, site=None, **options):
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {MAX_COUNT}.")
        where = None
        if site:
            where = Site.objects.filter(name__iexact=site).first()
            if where is None:
                known = ", ".join(Site.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No site named {site!r}. Known sites: {known}.")
        plains = []
        with transaction.atomic():
            for _n in range(count):
                code, plain = AccessCode.issue(site=where)
                AuditEntry.record(None, AuditEntry.Action.ISSUED, code, "issue_codes command")
                plains.append(plain)
        self.stdout.write("\n".join(plains))
