"""Atomic SQL of admission and settlement, sent in as few round trips as the logic allows.

Plain statements, the same on SQLite and PostgreSQL: these run on every question, where
building ORM queries cost more than running them. On PostgreSQL a `Batch` sends a
transaction's statements in one psycopg pipeline: the reservation costs two round trips
(read the locked ledgers, then write), the settlement one, instead of one per statement.

Lock order, which is what keeps admission race-free without deadlocks: a transaction locks
the reservation row first (settlement), then the ledgers in key order (`lock()` reads them
`FOR UPDATE ... ORDER BY key`; `move()` updates them one by one in key order). While the
rows are locked nobody else can hold or release on them, so the amounts admission reads are
the ones it adds to. SQLite has no row locks: there the whole transaction is serialised
(`transaction_mode = IMMEDIATE` in arcachat/settings.py takes the write lock at BEGIN).
`RETURNING` needs SQLite 3.35 or later (Debian 12 ships 3.40).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from .models import Ledger, Reservation, UsageRecord

TABLE = Ledger._meta.db_table
RESERVATIONS = Reservation._meta.db_table
RECORDS = UsageRecord._meta.db_table
AMOUNTS = "used_tokens, used_micros, reserved_tokens, reserved_micros"
# The reservation still exists: it is locked by this transaction, or settled by another.
STILL_HELD = f"EXISTS (SELECT 1 FROM {RESERVATIONS} WHERE id = %s)"  # noqa: S608


def _pipelined() -> bool:
    """A psycopg pipeline is possible: PostgreSQL, outside any transaction of the caller
    (inside one, e.g. a test's, the statements run one by one in a savepoint)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class Rows:
    """The rows of one statement of a Batch (`fetchone`, `fetchall`), read when asked for:
    in a pipeline, asking sends what is queued and waits for the results."""

    def __init__(self, cursor, eager: bool):
        self.cursor = cursor
        self.rows = None
        if eager:  # SQLite: a statement with unread rows would block the commit
            self.rows = cursor.fetchall() if cursor.description else []
            cursor.close()

    def _read(self) -> list:
        if self.rows is None:  # in a pipeline: this sends what is queued, then reads
            with connection.wrap_database_errors:  # as Django's errors (OperationalError...)
                self.rows = self.cursor.fetchall()
        return self.rows

    def fetchall(self) -> list:
        rows, self.rows = self._read(), []
        return rows

    def fetchone(self):
        rows = self._read()
        return rows.pop(0) if rows else None


class Batch:
    """One transaction. `run()` executes a statement and returns its Rows, which may be read
    later: on PostgreSQL, statements are queued in a pipeline and travel together until a
    result is read (or the transaction ends); elsewhere they run at once."""

    def __init__(self) -> None:
        self._pipeline = None
        self._atomic = None

    def __enter__(self) -> Batch:
        if _pipelined():
            connection.ensure_connection()
            self._pipeline = connection.connection.pipeline()
            self._pipeline.__enter__()
            self.run("BEGIN")
        else:
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
        return self

    def run(self, sql: str, params=()) -> Rows:
        cursor = connection.cursor()
        cursor.execute(sql, [_adapted(value) for value in params])
        return Rows(cursor, eager=self._pipeline is None)

    def __exit__(self, kind, error, trace) -> None:
        if self._atomic is not None:
            self._atomic.__exit__(kind, error, trace)
            return
        try:
            with connection.wrap_database_errors:
                if kind is None:
                    self.run("COMMIT")
                self._pipeline.__exit__(kind, error, trace)  # sends what is queued
        except Exception:
            self._rollback()
            raise
        if kind is not None:
            self._rollback()

    def _rollback(self) -> None:
        """End the server's transaction (the connection is in autocommit mode for Django);
        a connection that broke is left for the caller to close."""
        raw = connection.connection
        try:
            if raw is not None and not raw.closed:
                raw.execute("ROLLBACK")
        except Exception:  # noqa: S110 - the error being raised is the one that matters
            pass


def _adapted(value):
    """Dates and times as the ORM stores them (SQLite keeps UTC text, not the local time)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def ensure(batch: Batch, rows: list[tuple[str, int | None, str]]) -> None:
    """Create the ledgers (key, code id, period) that do not exist yet."""
    values = ", ".join(["(%s, %s, %s, 0, 0, 0, 0)"] * len(rows))
    batch.run(
        f"INSERT INTO {TABLE} (key, code_id, period, {AMOUNTS}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (key) DO NOTHING",
        [value for row in rows for value in row],
    )


def lock(batch: Batch, keys: list[str]):
    """Lock these ledgers in key order; the cursor gives (key, used and reserved amounts)."""
    marks = ", ".join(["%s"] * len(keys))
    locking = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return batch.run(
        f"SELECT key, {AMOUNTS} FROM {TABLE} WHERE key IN ({marks}) ORDER BY key{locking}",  # noqa: S608
        keys,
    )


def rows_of(cursor) -> dict[str, tuple[int, int, int, int]]:
    return {key: tuple(amounts) for key, *amounts in cursor.fetchall()}


def any_stale(batch: Batch, now):
    """Whether a reservation has expired (its process died: it must be charged)."""
    return batch.run(f"SELECT 1 FROM {RESERVATIONS} WHERE expires_at < %s LIMIT 1", [now])  # noqa: S608


def found(cursor) -> bool:
    return cursor.fetchone() is not None


def hold(batch: Batch, amounts: dict[str, tuple[int, int]]) -> None:
    """Add (tokens, micros) to these ledgers' reserved amounts, in one statement: `lock()`
    holds their rows (so no lock is taken out of order) and checked the amounts fit."""
    keys = sorted(amounts)
    cases = " ".join(["WHEN %s THEN %s"] * len(keys))
    marks = ", ".join(["%s"] * len(keys))
    tokens = [value for key in keys for value in (key, amounts[key][0])]
    micros = [value for key in keys for value in (key, amounts[key][1])]
    batch.run(
        f"UPDATE {TABLE} SET reserved_tokens = reserved_tokens + CASE key {cases} END, "  # noqa: S608
        f"reserved_micros = reserved_micros + CASE key {cases} END WHERE key IN ({marks})",
        [*tokens, *micros, *keys],
    )


def _insert(batch: Batch, table: str, values: dict, condition: str = "", params=()):
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    where = f" WHERE {condition}" if condition else ""
    return batch.run(
        f"INSERT INTO {table} ({columns}) SELECT {marks}{where} RETURNING id",  # noqa: S608
        [*values.values(), *params],
    )


def _values(instance) -> dict:
    """Column -> value ready for the database, for every column but the primary key."""
    return {
        f.column: f.get_db_prep_save(getattr(instance, f.attname), connection)
        for f in instance._meta.concrete_fields
        if not f.primary_key
    }


def insert_reservation(batch: Batch, reservation: Reservation):
    return _insert(batch, RESERVATIONS, _values(reservation))


def inserted_id(cursor) -> int:
    return cursor.fetchone()[0]


def insert_record(batch: Batch, reservation_id: int, record: UsageRecord) -> None:
    """Write the usage record if the reservation it settles is still held."""
    _insert(batch, RECORDS, _values(record), STILL_HELD, [reservation_id])


def lock_reservation(batch: Batch, reservation_id: int) -> None:
    """Lock the reservation row first (a concurrent settlement of it waits here)."""
    locking = " FOR UPDATE" if connection.features.has_select_for_update else ""
    batch.run(f"SELECT id FROM {RESERVATIONS} WHERE id = %s{locking}", [reservation_id])  # noqa: S608


def delete_reservation(batch: Batch, reservation_id: int) -> None:
    batch.run(f"DELETE FROM {RESERVATIONS} WHERE id = %s", [reservation_id])  # noqa: S608


def move(batch: Batch, reservation_id: int, moves: dict[str, tuple[int, int, int, int]]):
    """Per ledger key, add the used (tokens, micros) to what was used and take the released
    (tokens, micros) off what is held, if the reservation is still held. Rows are updated
    one by one in key order, the order `lock()` takes them in, so that two transactions on
    the same ledgers never wait for each other in a cycle (no deadlock). Returns the
    cursors of the ledgers' new amounts."""
    return [
        batch.run(
            f"UPDATE {TABLE} SET used_tokens = used_tokens + %s, "  # noqa: S608
            "used_micros = used_micros + %s, reserved_tokens = reserved_tokens - %s, "
            f"reserved_micros = reserved_micros - %s WHERE key = %s AND {STILL_HELD} "
            f"RETURNING key, {AMOUNTS}",
            [*moves[key], key, reservation_id],
        )
        for key in sorted(moves)
    ]


def after_move(cursors) -> dict[str, Ledger] | None:
    """The ledgers as `move()` left them (key -> unsaved Ledger), or None if the reservation
    had been settled already (nothing moved)."""
    rows = [row for cursor in cursors for row in cursor.fetchall()]
    if not rows:
        return None
    return {
        key: Ledger(key=key, used_tokens=ut, used_micros=um, reserved_tokens=rt, reserved_micros=rm)
        for key, ut, um, rt, rm in rows
    }
