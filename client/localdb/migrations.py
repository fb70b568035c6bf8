"""Schema migrations, numbered by ``PRAGMA user_version``.

``MIGRATIONS[i]`` brings the database from version ``i`` to ``i + 1``. Each runs in its own
``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump (SQLite DDL and the
header write are transactional), so a crash mid-upgrade leaves the previous version intact.
A migration is never edited once released: fix forward with a new one. The v1 DDL is also
frozen in ``tests/fixtures/make_localdb_v1.py``; a test checks both still agree.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine

from client.localdb.engine import write_tx
from shared.errors import StorageError

V1_DDL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE org_settings (
    org_id TEXT PRIMARY KEY,
    settings_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE org_calendars (
    org_id TEXT PRIMARY KEY,
    calendar_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE sop_templates (
    org_id TEXT NOT NULL,
    action_type TEXT NOT NULL,
    template_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, action_type)
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    district TEXT NOT NULL,
    grade TEXT NOT NULL,
    data_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_customers_org_name ON customers (org_id, name);
CREATE TABLE photo_hashes (
    sha256 TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    phash TEXT NOT NULL,
    PRIMARY KEY (sha256, visit_id)
);
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    counts INTEGER NOT NULL,
    visit_json TEXT NOT NULL,
    report_json TEXT NOT NULL
);
CREATE INDEX ix_visits_customer_captured ON visits (customer_id, captured_at);
CREATE INDEX ix_visits_rep_captured ON visits (rep_id, captured_at);
CREATE TABLE visit_photos (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    position INTEGER NOT NULL,
    slot TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    phash TEXT NOT NULL,
    stored_sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    PRIMARY KEY (visit_id, position)
);
CREATE TABLE visit_voids (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL UNIQUE REFERENCES visits (id),
    reason TEXT NOT NULL,
    voided_at TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    acked_at TEXT,
    server_epoch TEXT
);
CREATE INDEX ix_outbox_acked_seq ON outbox (acked_at, seq);
CREATE INDEX ix_outbox_record ON outbox (record_type, record_id);
CREATE TABLE drafts (
    draft_id TEXT PRIMARY KEY,
    data_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    ordered_on TEXT NOT NULL,
    amount TEXT NOT NULL,
    categories_json TEXT NOT NULL
);
CREATE INDEX ix_orders_customer_date ON orders (customer_id, ordered_on);
"""


def _run_script(conn: Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)


def _v1_initial_schema(conn: Connection) -> None:
    _run_script(conn, V1_DDL)


def _v2_outbox_errors_and_draft_order(conn: Connection) -> None:
    """The sync engine records why a push failed; the draft list is shown newest first."""
    _run_script(
        conn,
        """
        ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
        CREATE INDEX ix_drafts_updated ON drafts (updated_at);
        """,
    )


def _v3_photo_upload_state(conn: Connection) -> None:
    """Photo bytes upload separately from the visit record: remember which are done."""
    _run_script(
        conn,
        """
        ALTER TABLE visit_photos ADD COLUMN uploaded_at TEXT;
        CREATE INDEX ix_visit_photos_upload ON visit_photos (uploaded_at, stored_sha256);
        """,
    )


def _v4_sync_engine_state(conn: Connection) -> None:
    """What the sync engine keeps: the base version of customer edits, the server's copy of each
    customer (pending local edits are replayed on top of it), the server's verdict on visits,
    conflicts shown to the rep, and pulled records of types without a table of their own
    (tickets and their configuration, types a newer server adds)."""
    _run_script(
        conn,
        """
        ALTER TABLE outbox ADD COLUMN base_version INTEGER;
        ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN server_json TEXT;
        ALTER TABLE visits ADD COLUMN server_report_json TEXT;
        CREATE TABLE sync_conflicts (
            id TEXT PRIMARY KEY,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            field TEXT NOT NULL,
            local_value TEXT NOT NULL,
            server_value TEXT NOT NULL,
            reason TEXT NOT NULL,
            seq INTEGER,
            created_at TEXT NOT NULL,
            resolved_at TEXT
        );
        CREATE INDEX ix_sync_conflicts_open ON sync_conflicts (resolved_at, created_at);
        CREATE TABLE pulled_records (
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            server_seq INTEGER NOT NULL,
            payload_json TEXT NOT NULL,
            report_json TEXT,
            PRIMARY KEY (record_type, record_id)
        );
        """,
    )


def _v5_ticket_photos(conn: Connection) -> None:
    """Evidence photos of issue tickets (docs/tickets.md, client section): their bytes join the
    same upload queue as visit photos. No foreign key: the ticket itself lives in the outbox and
    in ``pulled_records``."""
    _run_script(
        conn,
        """
        CREATE TABLE ticket_photos (
            ticket_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            stored_sha256 TEXT NOT NULL,
            thumb_sha256 TEXT NOT NULL,
            uploaded_at TEXT,
            PRIMARY KEY (ticket_id, position)
        );
        CREATE INDEX ix_ticket_photos_upload ON ticket_photos (uploaded_at, stored_sha256);
        """,
    )


def _v6_visits_by_capture_time(conn: Connection) -> None:
    """The app's first screen asks "which customers were visited since midnight" and the visit
    list "the visits since Monday, newest first", over every rep's visits the device holds
    (50,000 at size): without an index on ``captured_at`` alone both scan the whole table.
    ``customer_id`` is in the index so the first question is answered from it."""
    _run_script(
        conn,
        """
        CREATE INDEX ix_visits_captured ON visits (captured_at, customer_id);
        """,
    )


MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_initial_schema,
    _v2_outbox_errors_and_draft_order,
    _v3_photo_upload_state,
    _v4_sync_engine_state,
    _v5_ticket_photos,
    _v6_visits_by_capture_time,
]
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def _refuse_future(version: int) -> None:
    if version > LATEST_VERSION:
        raise StorageError(
            f"The local database has schema version {version}, newer than this app knows "
            f"({LATEST_VERSION}). Update the app; the database was left untouched.",
            message_zh=f"本地数据库版本为 {version}，高于本应用支持的版本 {LATEST_VERSION}。"
            "请升级应用；数据库未作任何修改。",
            field="user_version",
            found=version,
            supported=LATEST_VERSION,
        )


def migrate(engine: Engine, *, target: int = LATEST_VERSION) -> int:
    """Apply every missing migration up to ``target``; return the resulting version."""
    while True:
        with write_tx(engine, "migration") as conn:
            version = user_version(conn)  # re-read under the write lock: another process
            _refuse_future(version)  # may have migrated meanwhile
            if version >= target:
                return version
            MIGRATIONS[version](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version + 1}")
