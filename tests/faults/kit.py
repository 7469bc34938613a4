"""Helpers of the fault suite: a priced fake provider, questions, and the metering books.

Prices are 1 € per million input tokens and 2 € per million output tokens, so a record
costs exactly `input_tokens + 2 * output_tokens` micro-euros: every cost is checked by hand.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.support.answers import Answer, parse_sse
from tests.support.fakellm import Script
from tests.support.providers import activate

# The French a resident reads (the chat asks in French by default).
INTERRUPTED_FR = "La réponse a été interrompue. Posez à nouveau votre question."
EXTRACTS_FR = "\n\nPour en savoir plus :\n"  # the offline provider's sources, after its extracts
OFFLINE_FR = "contactez la mairie"  # the offline provider's answer when nothing is found
NORMAL = Script()  # the fake provider's normal answer: 120 input and 18 output tokens
NORMAL_COST = 120 + 2 * 18
NORMAL_RECORD = ("openai_compatible", "ok", 120, 18, False, NORMAL_COST)  # its usage record
# arcachat/chat.py ask(): the database failed before the answer (a 503 "unavailable").
UNAVAILABLE = "The service is briefly unavailable. Please try again in a few minutes."
UNAVAILABLE_FR = "Le service est momentanément indisponible. Réessayez dans quelques minutes."

SETUP_LIVE = """
from decimal import Decimal
from accesscodes.models import AccessCode
from metering.models import QuotaSettings
from tests.support.providers import activate
q = QuotaSettings.current()
q.monthly_budget_eur = Decimal("1000")
q.save()
activate("{url}", timeout={timeout}, price=(1, 2))
code, plain = AccessCode.issue()
print(code.pk, plain)
"""

ISSUE_LIVE = """
from accesscodes.models import AccessCode
code, plain = AccessCode.issue()
print(code.pk, plain)
"""

BOOKS_LIVE = """
import json
from metering.models import Ledger, Reservation, UsageRecord
print(json.dumps({
    "records": [
        [r.kind, r.outcome, r.input_tokens, r.output_tokens, r.estimated, r.cost_micros,
         r.code_id]
        for r in UsageRecord.objects.order_by("id")
    ],
    "ledgers": {
        l.key: [l.used_tokens, l.used_micros, l.reserved_tokens, l.reserved_micros]
        for l in Ledger.objects.all()
    },
    "reservations": Reservation.objects.count(),
}))
"""


def french(message: str) -> str:
    """What the app shows in French for this source message (locale/fr, compiled)."""
    from django.utils import translation

    with translation.override("fr"):
        return translation.gettext(message)


@contextmanager
def database_down():
    """Every query of this process fails, as when the pool cannot reach PostgreSQL in time
    (psycopg_pool's timeout reaches Django as an OperationalError)."""
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, name=None):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "_cursor", refuse)
        yield


def priced_provider(base_url: str, protocol: str = "openai", timeout: float = 0.5):
    """The active provider: a fake server of that wire protocol, priced 1 € / 2 € per M."""
    return activate(base_url, protocol, timeout=timeout, price=(1, 2))


def ask(client, message: str = "Quand a lieu le marché ?") -> Answer:
    """One question through the real endpoint with Django's test client."""
    body = json.dumps({"message": message, "history": [], "language": "fr"})
    response = client.post("/chat/ask", body, content_type="application/json")
    if not response["Content-Type"].startswith("text/event-stream"):
        return Answer(response.status_code, body=json.loads(response.content or b"{}"))
    return Answer(response.status_code, parse_sse(b"".join(response).decode()))


@dataclass
class Books:
    """The metering state: usage records (oldest first), ledgers, reservations left."""

    records: list[tuple]  # (kind, outcome, input, output, estimated, cost_micros)
    ledgers: dict[str, list[int]]  # key -> [used tokens, used µ€, reserved tokens, µ€]
    reservations: int
    codes: list[int | None] = field(default_factory=list)  # the code of each record

    @classmethod
    def of(cls, data: dict) -> Books:
        rows = [tuple(r) for r in data["records"]]
        return cls(
            [r[:6] for r in rows], data["ledgers"], data["reservations"], [r[6] for r in rows]
        )

    @classmethod
    def read(cls) -> Books:
        """The books of the test database (in-process tests)."""
        from metering.models import Ledger, Reservation, UsageRecord

        rows = UsageRecord.objects.order_by("id")
        ledgers = {
            row.key: [row.used_tokens, row.used_micros, row.reserved_tokens, row.reserved_micros]
            for row in Ledger.objects.all()
        }
        return cls(
            [
                (r.kind, r.outcome, r.input_tokens, r.output_tokens, r.estimated, r.cost_micros)
                for r in rows
            ],
            ledgers,
            Reservation.objects.count(),
            [r.code_id for r in rows],
        )

    def of_code(self, code_id: int) -> list[tuple]:
        return [r for r, c in zip(self.records, self.codes, strict=True) if c == code_id]

    def assert_balanced(self, reservations: int = 0) -> None:
        """`reservations` left (0 by default) and none of their amounts are counted as used;
        the ledgers hold exactly what the records charge: each record costs its tokens at
        1 € / 2 € per million, nothing is counted twice; failover records on the town only."""
        assert self.reservations == reservations
        if not reservations:
            for key, (_ut, _um, reserved_tokens, reserved_micros) in self.ledgers.items():
                assert (reserved_tokens, reserved_micros) == (0, 0), key
        for kind, _outcome, tokens_in, tokens_out, _est, cost in self.records:
            expected = 0 if kind in ("offline", "") else tokens_in + 2 * tokens_out
            assert cost == expected, (kind, tokens_in, tokens_out, cost)
        codes = self.codes or [None] * len(self.records)
        for key, (used_tokens, used_micros, _rt, _rm) in self.ledgers.items():
            parts = key.split(":")
            if parts[0] == "town":
                mine = self.records
            elif len(parts) == 3 and len(parts[2]) == 7:  # a code's month: code:<pk>:YYYY-MM
                # A failed provider's bill ("failover") is the town's, not the resident's.
                mine = [
                    r
                    for r, c in zip(self.records, codes, strict=True)
                    if c in (None, int(parts[1])) and r[1] != "failover"
                ]
            else:
                continue
            paid = sum(r[2] + r[3] for r in mine if r[0] not in ("offline", ""))
            micros = sum(r[5] for r in mine)
            assert used_micros == micros, key
            if parts[0] == "code":
                assert used_tokens == paid, key
