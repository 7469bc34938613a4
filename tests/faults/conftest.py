"""Fixtures of the fault suite: a fake vendor speaking real HTTP, configured by each test
(tests/faults/kit.py `priced_provider`); `town` comes from tests/support/fixtures.py."""

import pytest

from tests.support.fakellm import FakeServer


@pytest.fixture
def fake():
    """A fake OpenAI-compatible vendor; swap `fake.script` to script the next answers."""
    with FakeServer("openai") as server:
        yield server
