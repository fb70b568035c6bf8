"""The store's light read path: the standard library's sqlite3 and plain SQL, no SQLAlchemy.

Opening the store and drawing the first screen (the customer list and the status bar) read only
a few things: meta values, the customer summaries, who was visited today, the pending counts and
the organisation's time zone. They are answered here, on one read-only connection per store
(``PRAGMA query_only``), so that an app start does not import SQLAlchemy, the repositories and
the pydantic models behind them (~0.5 s of a 1 s start budget, bench/bench_app.py). Everything
else — and every write — goes through the SQLAlchemy engine, which :class:`LocalStore` makes on
first use (or in the background once the first screen is sent: ``LocalStore.warm``).

The connection is shared by the session's threads, one query (or snapshot) at a time under a
lock; it is reopened if used after ``close``, as the SQLAlchemy pool is after ``dispose``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.errors import StorageError

DEFAULT_BUSY_TIMEOUT_MS = 5000
# The schema version these queries are written for: the store answers from here only when the
# file is at exactly this version (else it migrates first). Equal to
# client.localdb.migrations.LATEST_VERSION (a test keeps them equal).
SCHEMA_VERSION = 6
DEVICE_ID_KEY = "device_id"


def storage_error(action: str, text: str) -> StorageError:
    """A driver failure in words (shared with :func:`client.localdb.engine.storage_errors`)."""
    if "locked" in text or "busy" in text:
        return StorageError(
            f"The local database is busy; {action} was not saved. Try again.",
            message_zh=f"本地数据库正忙，{action}未保存，请重试。",
            action=action,
            reason="busy",
        )
    return StorageError(
        f"The local database failed during {action}: {text}",
        message_zh=f"本地数据库在{action}时出错：{text}",
        action=action,
        reason=text,
    )


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """What the customer list shows and searches: a row of the list, not the whole record.

    Read straight from ``data_json`` (what the rep sees, pending edits included) with SQLite's
    ``json_extract``: no JSON parsing or pydantic validation in Python, ~10x cheaper than
    :class:`shared.customers.Customer` for 10,000 customers (bench/bench_app.py, app start).
    ``coord_system`` is the stored value of a :class:`shared.customers.CoordSystem` (a
    ``StrEnum``, so it compares equal to the member); the enum's module is pydantic's and is
    not imported to draw the list."""

    id: str
    name: str
    address: str
    district: str
    grade: str
    lat: float
    lon: float
    coord_system: str


_SUMMARIES_SQL = """
SELECT id,
       json_extract(data_json, '$.name'), json_extract(data_json, '$.address'),
       json_extract(data_json, '$.district'), json_extract(data_json, '$.grade'),
       json_extract(data_json, '$.lat'), json_extract(data_json, '$.lon'),
       json_extract(data_json, '$.coord_system')
FROM customers
WHERE org_id = ?
ORDER BY name, id
LIMIT ?
"""

# answered from ix_visits_captured (migration v6); no DISTINCT in SQL: it makes SQLite scan
# ix_visits_customer_captured instead
_VISITED_SINCE_SQL = """
SELECT visits.customer_id
FROM visits LEFT OUTER JOIN visit_voids ON visit_voids.visit_id = visits.id
WHERE visits.captured_at >= ? AND visit_voids.id IS NULL
"""

# photos whose bytes the server has not confirmed: visits' and issue tickets', each file once
_PENDING_PHOTOS_SQL = """
SELECT count(*) FROM (
    SELECT stored_sha256 FROM visit_photos WHERE uploaded_at IS NULL
    UNION
    SELECT stored_sha256 FROM ticket_photos WHERE uploaded_at IS NULL
)
"""

_PENDING_OUTBOX_SQL = """
SELECT count(*), coalesce(sum(record_type = 'visit'), 0) FROM outbox WHERE acked_at IS NULL
"""


class Reader:
    """One read-only sqlite3 connection to the store's file, shared under a lock."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,  # BEGIN / COMMIT are ours
            check_same_thread=False,  # used by the session's threads, one at a time (lock)
        )
        db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        db.execute("PRAGMA query_only = ON")
        return db

    @contextmanager
    def snapshot(self, action: str = "read") -> Iterator[sqlite3.Connection]:
        """The connection inside one read transaction: several queries see one state."""
        with self._lock:
            try:
                if self._db is None:
                    self._db = self._connect()
                db = self._db
                db.execute("BEGIN")
                try:
                    yield db
                finally:
                    db.execute("COMMIT")  # a read transaction: nothing to roll back
            except sqlite3.Error as exc:
                raise storage_error(action, str(exc)) from exc

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    # -- the queries ---------------------------------------------------------------------
    def open_state(self) -> tuple[int, str | None]:
        """``(user_version, device id)``: whether the file is ready to be read as it is."""
        with self.snapshot("open") as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            device_id = _meta(db, DEVICE_ID_KEY) if version >= 1 else None
        return version, device_id

    def get_meta(self, key: str) -> str | None:
        with self.snapshot() as db:
            return _meta(db, key)

    def customer_summaries(self, org_id: str, *, limit: int) -> list[CustomerSummary]:
        with self.snapshot() as db:
            rows = db.execute(_SUMMARIES_SQL, (org_id, limit)).fetchall()
        return [
            CustomerSummary(
                cid,
                name or "",
                address or "",
                district or "",
                grade or "",
                float(lat),
                float(lon),
                system or "wgs84",
            )
            for cid, name, address, district, grade, lat, lon, system in rows
        ]

    def customers_visited_since(self, since_text: str) -> set[str]:
        """Ids of customers with a visit (not voided) captured at or after ``since_text`` (the
        stored time format, :func:`client.localdb.timefmt.time_text`)."""
        with self.snapshot() as db:
            return {cid for (cid,) in db.execute(_VISITED_SINCE_SQL, (since_text,))}

    def pending_counts(self) -> dict[str, int]:
        """Pending visits and photos (the status bar) and every pending outbox entry."""
        with self.snapshot() as db:
            (photos,) = db.execute(_PENDING_PHOTOS_SQL).fetchone()
            outbox, visits = db.execute(_PENDING_OUTBOX_SQL).fetchone()
        return {"visits": int(visits), "photos": int(photos), "outbox": int(outbox)}

    def timezone_name(self, org_id: str) -> str | None:
        """The ``timezone`` of the organisation's pulled settings; None when none are stored
        (or they name none: the settings model's default applies)."""
        with self.snapshot() as db:
            row = db.execute(
                "SELECT json_extract(settings_json, '$.timezone') FROM org_settings"
                " WHERE org_id = ?",
                (org_id,),
            ).fetchone()
        return None if row is None or row[0] is None else str(row[0])


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])
