"""Short-lived per-process memos of small rows read on every question (quotas, prompt).

Each memo keeps what its loader returned for a few seconds, hands out copies (callers may
change them, e.g. a form), and is cleared at once in this process when the row is saved;
other processes see a change within `seconds`. The database stays the only source of truth.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

_ALL: list[Memo] = []


class Memo:
    def __init__(self, load: Callable[[], object], seconds: float = 5.0):
        self.load = load
        self.seconds = seconds
        self._value: tuple[float, object] | None = None
        _ALL.append(self)

    def get(self):
        kept = self._value
        if kept is not None and kept[0] > time.monotonic():
            return copy.copy(kept[1])
        value = self.load()
        self._value = (time.monotonic() + self.seconds, copy.copy(value))
        return value

    def clear(self, *args, **kwargs) -> None:
        """Forget the value now, and again once the current transaction commits (so that
        no other thread keeps the old row read in between). Usable as a signal receiver."""
        from django.db import transaction

        self._value = None
        transaction.on_commit(self._forget)

    def _forget(self) -> None:
        self._value = None


def clear_all() -> None:
    """Forget every memo of this process (tests, after the database was reset)."""
    for memo in _ALL:
        memo._forget()
