"""Local fake LLM servers (OpenAI, Anthropic, Mistral wire protocols) for tests and benches."""

from .helpers import collect, provider_for
from .server import FAULTS, FakeServer, Script, free_port_url, never_accepts

__all__ = [
    "FAULTS",
    "FakeServer",
    "Script",
    "collect",
    "free_port_url",
    "never_accepts",
    "provider_for",
]
