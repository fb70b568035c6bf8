"""The SQLite engine: one file, WAL, ``synchronous=FULL``, foreign keys, a busy timeout.

Transactions are explicit. The driver's own transaction handling is switched off
(``isolation_level=None``) and SQLAlchemy's ``begin`` event emits the ``BEGIN`` itself:
``BEGIN IMMEDIATE`` for writes (the write lock is taken up front, so ``busy_timeout`` applies
there and a transaction never fails half-way when upgrading a read lock), plain ``BEGIN`` for
reads. Every SQLite failure leaves the module as :class:`shared.errors.StorageError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError

from client.localdb.reader import DEFAULT_BUSY_TIMEOUT_MS, storage_error

_BEGIN_OPTION = "fieldledger_begin"
PAGE_SIZE = 8192


def make_engine(path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine on ``path`` whose every connection has the project's pragmas set."""
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # 8 KiB pages for a NEW file (no effect on an existing one): a pulled visit row is
        # ~2.3 KB, one per 4 KiB page but three per 8 KiB page, so a full pull writes a fifth
        # less (docs/local-store.md). Must precede the switch to WAL.
        cur.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk (WAL fsynced) before save_visit returns. Evidence.
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn driver errors into :class:`StorageError` (integrity errors pass through)."""
    try:
        yield
    except IntegrityError:
        raise
    except (DBAPIError, sqlite3.Error) as exc:
        raise storage_error(action, str(getattr(exc, "orig", exc))) from exc


@contextmanager
def write_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any error."""
    with storage_errors(action), engine.connect() as conn:
        conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One deferred (read) transaction: a consistent snapshot for several queries."""
    with storage_errors(action), engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def maybe_write_tx(engine: Engine, tx: Connection | None, action: str) -> Iterator[Connection]:
    """The caller's transaction when given one, else a new write transaction."""
    if tx is not None:
        with storage_errors(action):
            yield tx
    else:
        with write_tx(engine, action) as conn:
            yield conn
