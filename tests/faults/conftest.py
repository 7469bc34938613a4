"""Fixtures of the fault suite: the town's magazine and a fake provider speaking real HTTP."""

import pytest

from tests.chatkit import add_pdf_document
from tests.fakes.server import FakeServer

MARKET = [
    "Le marché a lieu le samedi matin place du Port, de 8 h à 13 h.",
    "La mairie est ouverte du lundi au vendredi de 9 h à 17 h.",
]


@pytest.fixture
def town(db):
    """The magazine the offline provider quotes when no provider can answer."""
    return add_pdf_document("Magazine municipal de mars", MARKET)


@pytest.fixture
def fake():
    """A fake OpenAI-compatible vendor; swap `fake.script` to script the next answers."""
    with FakeServer("openai") as server:
        yield server
