"""Which of some ids a table already holds: the bulk paths of a pulled page ask it per page."""

from __future__ import annotations

from sqlalchemy import Connection

# ids bound per query: older SQLite builds (a phone's) allow at most 999 variables
CHUNK = 500
_TABLES = frozenset({"visits", "customers"})


def stored_ids(conn: Connection, table: str, ids: list[str]) -> set[str]:
    """The ids of ``ids`` that ``table`` holds, one plain ``IN (?, …)`` query per chunk
    (SQLAlchemy's expanding ``IN`` was compiled anew for every pulled page, at more cost than
    the lookup)."""
    if table not in _TABLES:
        raise ValueError(f"no id lookup for table {table!r}")
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = tuple(ids[i : i + CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = conn.exec_driver_sql(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
        found.update(row[0] for row in rows)
    return found
