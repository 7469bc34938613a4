"""What the chat endpoint sends back: its text/event-stream parsed, and the Answer it makes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


def split_events(buffer: str) -> tuple[list[tuple[str, str]], str]:
    """The complete (event, data) pairs at the start of a text/event-stream buffer, and the
    rest (an event not finished yet)."""
    events = []
    while "\n\n" in buffer:
        block, buffer = buffer.split("\n\n", 1)
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            events.append((name, "\n".join(data)))
    return events, buffer


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """(event, payload) pairs of a whole text/event-stream body."""
    events, _rest = split_events(body.replace("\r\n", "\n") + "\n\n")
    return [(name, json.loads(data)) for name, data in events]


@dataclass
class Answer:
    """What a browser got: a refusal (status, JSON body) or the SSE events of an answer, with
    when its first chunk and its end arrived."""

    status: int
    events: list[tuple[str, dict]] = field(default_factory=list)
    body: dict | None = None  # the JSON of a refusal (non-200)
    first_chunk_s: float | None = None
    total_s: float = 0.0
    raw: str = ""  # the body as received, when kept

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    @property
    def text(self) -> str:
        return "".join(data.get("text", "") for name, data in self.events if name == "chunk")

    @property
    def completed(self) -> bool:
        return self.status == 200 and "done" in self.names

    def last(self, name: str) -> dict:
        return [data for event, data in self.events if event == name][-1]
