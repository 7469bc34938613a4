"""Atomic SQL on the running ledgers: create, hold within a limit, and move amounts.

One plain statement each, the same on SQLite and PostgreSQL: these run on every question,
where building ORM queries cost more than running them. The conditional UPDATE of `hold()`
is what makes admission race-free: the database re-checks `used + reserved + amount <= limit`
on the row it has locked, so two processes can never both take the last of an allowance.
"""

from __future__ import annotations

from django.db import connection

TABLE = "metering_ledger"


def ensure(rows: list[tuple[str, int | None, str]]) -> None:
    """Create the ledgers (key, code id, period) that do not exist yet."""
    values = ", ".join(["(%s, %s, %s, 0, 0, 0, 0)"] * len(rows))
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (key, code_id, period, used_tokens, used_micros, "  # noqa: S608
            f"reserved_tokens, reserved_micros) VALUES {values} ON CONFLICT (key) DO NOTHING",
            params,
        )


def hold(key: str, tokens: int, micros: int, max_tokens: int | None, max_micros: int | None):
    """Add to the reserved amounts if the limits allow it; True if they did."""
    where, params = ["key = %s"], [tokens, micros, key]
    if max_tokens is not None:
        where.append("used_tokens + reserved_tokens + %s <= %s")
        params += [tokens, max_tokens]
    if max_micros is not None:
        where.append("used_micros + reserved_micros + %s <= %s")
        params += [micros, max_micros]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET reserved_tokens = reserved_tokens + %s, "  # noqa: S608
            f"reserved_micros = reserved_micros + %s WHERE {' AND '.join(where)}",
            params,
        )
        return cursor.rowcount == 1


def move(moves: dict[str, tuple[int, int, int, int]]) -> None:
    """Per ledger key, add the used (tokens, micros) to what was used and take the released
    (tokens, micros) off what is held. Rows are updated one by one in key order, the order
    `hold()` is called in, so that two transactions on the same ledgers never wait for each
    other in a cycle (no deadlock)."""
    with connection.cursor() as cursor:
        for key in sorted(moves):
            cursor.execute(
                f"UPDATE {TABLE} SET used_tokens = used_tokens + %s, "  # noqa: S608
                "used_micros = used_micros + %s, reserved_tokens = reserved_tokens - %s, "
                "reserved_micros = reserved_micros - %s WHERE key = %s",
                [*moves[key], key],
            )
