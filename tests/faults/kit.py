"""Helpers of the fault suite: a priced fake provider, questions, and the metering books.

Prices are 1 € per million input tokens and 2 € per million output tokens, so a record
costs exactly `input_tokens + 2 * output_tokens` micro-euros: every cost is checked by hand.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.chatkit import parse_sse
from tests.fakes.server import Script

# The French a resident reads (the chat asks in French by default).
INTERRUPTED_FR = "La réponse a été interrompue. Posez à nouveau votre question."
EXTRACTS_FR = "Voici des extraits des documents de la mairie"
OFFLINE_FR = "contactez la mairie"  # in every answer of the offline provider, found or not
NORMAL = Script()  # the fake provider's normal answer: 120 input and 18 output tokens
NORMAL_COST = 120 + 2 * 18
NORMAL_RECORD = ("openai_compatible", "ok", 120, 18, False, NORMAL_COST)  # its usage record
# arcachat/chat.py ask(): the database failed before the answer (a 503 "unavailable").
UNAVAILABLE = "The service is briefly unavailable. Please try again in a few minutes."
UNAVAILABLE_FR = "Le service est momentanément indisponible. Réessayez dans quelques minutes."

KIND_OF = {"openai": "openai_compatible", "anthropic": "anthropic", "mistral": "mistral"}

SETUP_LIVE = """
from decimal import Decimal
from django.utils import timezone
from accesscodes.models import AccessCode
from metering.models import QuotaSettings
from providers.models import Price, ProviderConfig
q = QuotaSettings.current()
q.monthly_budget_eur = Decimal("1000")
q.save()
p = ProviderConfig.objects.create(
    name="Fake", kind="openai_compatible", model="fake", base_url="{url}",
    timeout={timeout}, order=1,
)
Price.objects.create(
    provider=p, effective_from=timezone.now() - timezone.timedelta(days=1),
    eur_per_million_input=Decimal(1), eur_per_million_output=Decimal(2),
)
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
    from decimal import Decimal

    from django.utils import timezone

    from providers.models import Price, ProviderConfig

    config = ProviderConfig(
        name=f"Fake {protocol}",
        kind=KIND_OF[protocol],
        model="fake-model",
        base_url=base_url,
        timeout=timeout,
        order=1,
    )
    if protocol != "openai":
        config.set_api_key("sk-fake")
    config.save()
    Price.objects.create(
        provider=config,
        effective_from=timezone.now() - timezone.timedelta(days=1),
        eur_per_million_input=Decimal(1),
        eur_per_million_output=Decimal(2),
    )
    return config


@dataclass
class Reply:
    """What the browser got: a refusal (status, JSON) or the SSE events of an answer."""

    status: int
    events: list[tuple[str, dict]] = field(default_factory=list)
    body: dict | None = None
    seconds: float = 0.0
    raw: str = ""

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    @property
    def text(self) -> str:
        return "".join(data.get("text", "") for name, data in self.events if name == "chunk")

    def last(self, name: str) -> dict:
        return [data for event, data in self.events if event == name][-1]


def ask(client, message: str = "Quand a lieu le marché ?") -> Reply:
    """One question through the real endpoint with Django's test client."""
    body = json.dumps({"message": message, "history": [], "language": "fr"})
    response = client.post("/chat/ask", body, content_type="application/json")
    if not response["Content-Type"].startswith("text/event-stream"):
        return Reply(response.status_code, body=json.loads(response.content or b"{}"))
    return Reply(response.status_code, parse_sse(b"".join(response).decode()))


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


# --- Live app helpers: a resident's browser over real HTTP, tolerant of any failure -----


def live_sign_in(base_url: str, code: str) -> tuple[int, dict | None]:
    """(status of the sign-in POST, the session's cookies and CSRF token if it worked)."""
    import httpx2

    from tests.liveclient import CSRF_INPUT

    with httpx2.Client(base_url=base_url, timeout=30) as client:
        landing = client.get("/")
        token = CSRF_INPUT.search(landing.text).group(1)
        answer = client.post("/signin", data={"code": code, "csrfmiddlewaretoken": token})
        if answer.status_code != 302:
            return answer.status_code, None
        page = client.get("/chat/")
        token = CSRF_INPUT.search(page.text).group(1)
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return 302, {"cookie": cookies, "csrf": token}


def live_ask(
    base_url: str,
    session: dict,
    message: str = "Quand a lieu le marché ?",
    timeout: float = 30,
    leave_after: float | None = None,
) -> Reply:
    """Ask over HTTP; the browser leaves `leave_after` seconds after the first chunk."""
    import time

    import httpx2

    headers = {"Cookie": session["cookie"], "X-CSRFToken": session["csrf"]}
    body = {"message": message, "history": [], "language": "fr"}
    started = time.monotonic()
    first = None
    raw = b""
    with (
        httpx2.Client(base_url=base_url, timeout=timeout) as client,
        client.stream("POST", "/chat/ask", json=body, headers=headers) as response,
    ):
        for piece in response.iter_bytes():
            raw += piece
            first = first or time.monotonic()
            if leave_after is not None and time.monotonic() - first >= leave_after:
                break  # closing the stream unread drops the connection
        kind = response.headers.get("content-type", "")
        status = response.status_code
    reply = Reply(status, seconds=time.monotonic() - started, raw=raw.decode("utf-8", "replace"))
    if kind.startswith("text/event-stream"):
        reply.events = parse_sse(reply.raw.rsplit("\n\n", 1)[0] + "\n\n")
    elif kind.startswith("application/json"):
        reply.body = json.loads(raw or b"{}")
    return reply


def live_json(url: str) -> tuple[int, dict, float]:
    """GET a JSON page (e.g. /healthz): status, body, seconds."""
    import time
    import urllib.error
    import urllib.request

    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.loads(answer.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), time.monotonic() - started
