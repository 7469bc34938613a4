"""Search backends over analysed tokens, chosen by database vendor or KNOWLEDGE_SEARCH_BACKEND.

A backend stores each chunk's analysed terms in the database's own full-text index and
returns (row id, score) pairs, best first, for a list of query terms. The same code serves
the town's index and the isolated index of the retrieval benchmark (another table name).
"""

from django.conf import settings
from django.db import connection as default_connection

from .postgres import PostgresIndex
from .sqlite import SqliteFtsIndex


def backend_for(connection=None, table: str | None = None):
    """The backend for `connection` (SQLite FTS5 or PostgreSQL), or the one the setting names."""
    connection = connection or default_connection
    name = settings.KNOWLEDGE_SEARCH_BACKEND or "auto"
    if name == "auto":
        name = "postgres" if connection.vendor == "postgresql" else "sqlite"
    if name == "postgres":
        return PostgresIndex(table) if table else PostgresIndex()
    if name == "sqlite":
        return SqliteFtsIndex(table) if table else SqliteFtsIndex()
    raise ValueError(f"Unknown KNOWLEDGE_SEARCH_BACKEND {name!r}: use auto, sqlite or postgres.")
