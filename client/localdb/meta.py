"""Key/value metadata: device id, the outbox seq counter, sync cursors and epochs."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from client.localdb.schema import meta_t


def get_meta(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(meta_t.c.value).where(meta_t.c.key == key)).scalar_one_or_none()
    return None if value is None else str(value)


def set_meta(conn: Connection, key: str, value: str) -> None:
    stmt = insert(meta_t).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def init_meta(conn: Connection, key: str, value: str) -> str:
    """Set ``key`` only if absent; return the stored value."""
    conn.execute(insert(meta_t).values(key=key, value=value).on_conflict_do_nothing())
    stored = get_meta(conn, key)
    assert stored is not None
    return stored
