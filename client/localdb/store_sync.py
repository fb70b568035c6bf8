"""The part of :class:`LocalStore` the sync engine (and customer editing) needs.

Kept apart from ``store.py`` to keep modules small; ``LocalStore`` inherits it.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from client.localdb.blobs import BlobStore
from client.localdb.checkpoint import AUTOCHECKPOINT_PAGES
from client.localdb.lazy import LazyModule

if TYPE_CHECKING:
    from pathlib import Path

    import sqlalchemy as sa
    from sqlalchemy import Connection, Engine

    from client.localdb import (
        conflicts,
        customer_edits,
        meta,
        outbox,
        pulled,
        schema,
        tickets,
        touchpoints,
    )
    from client.localdb import engine as db
    from client.localdb.checkpoint import BackgroundCheckpointer
    from client.localdb.outbox import OutboxEntry
    from shared.changes import IncomingChange
    from shared.customers import Customer
else:  # imported at first use: LocalStore inherits this mixin, and opens before any of them
    sa = LazyModule("sqlalchemy")
    conflicts = LazyModule("client.localdb.conflicts")
    customer_edits = LazyModule("client.localdb.customer_edits")
    db = LazyModule("client.localdb.engine")
    meta = LazyModule("client.localdb.meta")
    outbox = LazyModule("client.localdb.outbox")
    pulled = LazyModule("client.localdb.pulled")
    schema = LazyModule("client.localdb.schema")
    tickets = LazyModule("client.localdb.tickets")
    touchpoints = LazyModule("client.localdb.touchpoints")

LAZY_MODULES = ("conflicts", "customer_edits", "pulled", "schema", "tickets", "touchpoints")


class SyncStoreMixin:
    engine: Engine
    blobs: BlobStore
    device_id: str
    path: Path
    pull_checkpointer: BackgroundCheckpointer  # checkpoints after pulled pages

    def _write(self, tx: Connection | None, action: str) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _read(self, tx: Connection | None = None) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    # -- customers edited on the device ---------------------------------------------------
    def create_customer(self, customer: Customer) -> int:
        """Save a new customer and queue it for the server; returns the outbox seq."""
        with self._write(None, "customer") as conn:
            return customer_edits.create_customer(conn, customer)

    def edit_customer(self, customer_id: str, fields: dict[str, object]) -> int:
        """Change fields of a customer and queue the edit (with the values it replaces)."""
        with self._write(None, "customer") as conn:
            return customer_edits.edit_customer(conn, customer_id, dict(fields))

    def customer_version(self, customer_id: str) -> int:
        """The server version of the customer this device last pulled (0: never)."""
        q = sa.select(schema.customers_t.c.version).where(schema.customers_t.c.id == customer_id)
        with self._read() as conn:
            return int(conn.execute(q).scalar_one_or_none() or 0)

    def rebase_customers(self, customer_ids: list[str], *, tx: Connection | None = None) -> None:
        """Rebuild the shown customers from the server copy plus the edits still pending."""
        with self._write(tx, "customers") as conn:
            for cid in dict.fromkeys(customer_ids):
                customer_edits.rebase(conn, cid)

    # -- pulled data -----------------------------------------------------------------------
    @contextmanager
    def pull_transaction(self, *, durable: bool = True) -> Iterator[Connection]:
        """A write transaction for one pulled page; ``durable=False`` commits it without
        waiting for the disk (``synchronous = NORMAL`` for this one transaction).

        Everything captured here is committed with ``synchronous = FULL``. A pulled page is a
        copy of the server's data stored with its cursor: after a power cut (an app crash loses
        nothing either way) the database is still consistent and at worst an older cursor is
        back, so the page is downloaded again. The sync engine keeps a page durable when the
        server counts on it (ticket answers, confirmed delivered by the next pull).
        """
        if durable:
            with db.write_tx(self.engine, "pull") as conn:
                yield conn
            return
        with db.storage_errors("pull"), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            # outside any transaction (autocommit). The COMMIT does not checkpoint either: the
            # checkpointer's thread copies the WAL while the next page is applied (checkpoint.py)
            raw.execute("PRAGMA synchronous = NORMAL")
            raw.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                conn.execution_options(**{db._BEGIN_OPTION: "IMMEDIATE"})
                with conn.begin():
                    yield conn
            finally:
                # before the pool hands the connection out again
                raw.execute("PRAGMA synchronous = FULL")
                raw.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        self.pull_checkpointer.poke()

    def apply_pulled_changes(
        self,
        changes: list[IncomingChange],
        *,
        org_id: str,
        cursor: int,
        cursor_key: str = "sync.cursor",
        tx: Connection | None = None,
    ) -> int:
        """Apply one pulled page AND store its cursor, in one transaction."""
        with self._write(tx, "pull") as conn:
            count = pulled.apply_changes(conn, org_id, changes)
            meta.set_meta(conn, cursor_key, str(cursor))
            return count

    def pulled_records(self, record_type: str) -> list[tuple[str, int, dict[str, object]]]:
        """(record_id, version, payload) of pulled records with no table of their own."""
        q = (
            sa.select(
                schema.pulled_records_t.c.record_id,
                schema.pulled_records_t.c.version,
                schema.pulled_records_t.c.payload_json,
            )
            .where(schema.pulled_records_t.c.record_type == record_type)
            .order_by(schema.pulled_records_t.c.record_id)
        )
        with self._read() as conn:
            return [(r[0], int(r[1]), json.loads(r[2])) for r in conn.execute(q)]

    def wipe_pulled_data(self, org_id: str, *, tx: Connection | None = None) -> None:
        """Forget what the server gave (the outbox and the visits captured here stay)."""
        with self._write(tx, "reset") as conn:
            pulled.wipe_pulled(conn, org_id)

    def wipe_all_data(self) -> str:
        """Delete every row and photo of the organisation on this device, the outbox included,
        and take a new device id; returns it. For a device the organisation revoked."""
        new_id = uuid.uuid4().hex
        with self._write(None, "wipe") as conn:
            pulled.wipe_everything(conn, new_id)
        self.device_id = new_id
        shutil.rmtree(self.blobs.root, ignore_errors=True)
        self.blobs = BlobStore(self.blobs.root)
        return new_id

    def requeue_photo_uploads(self, *, tx: Connection | None = None) -> int:
        """Ask the server again about every photo (it was restored and may lack the bytes);
        the ones it holds are confirmed without being sent again."""
        with self._write(tx, "requeue photos") as conn:
            result = conn.execute(
                sa.update(schema.visit_photos_t)
                .where(schema.visit_photos_t.c.uploaded_at.is_not(None))
                .values(uploaded_at=None)
            )
            requeued = int(result.rowcount) + tickets.requeue_uploads(conn)
            return requeued + touchpoints.requeue_uploads(conn)

    # -- outbox views ----------------------------------------------------------------------
    def acked_max_seq(self) -> int:
        q = sa.select(sa.func.max(schema.outbox_t.c.seq)).where(
            schema.outbox_t.c.acked_at.is_not(None)
        )
        with self._read() as conn:
            return int(conn.execute(q).scalar_one_or_none() or 0)

    def rejected_entries(self) -> list[OutboxEntry]:
        """Entries the server answered as permanently invalid (kept, with the reason)."""
        q = (
            sa.select(schema.outbox_t)
            .where(schema.outbox_t.c.acked_at.is_not(None), schema.outbox_t.c.last_error != "")
            .order_by(schema.outbox_t.c.seq)
        )
        with self._read() as conn:
            return [outbox._entry(r) for r in conn.execute(q)]

    # -- conflicts -------------------------------------------------------------------------
    def add_conflict(
        self,
        conflict_id: str,
        *,
        record_type: str,
        record_id: str,
        reason: str,
        field: str = "",
        local_value: object = None,
        server_value: object = None,
        seq: int | None = None,
        tx: Connection | None = None,
    ) -> bool:
        with self._write(tx, "conflict") as conn:
            return conflicts.add_conflict(
                conn,
                conflict_id,
                record_type=record_type,
                record_id=record_id,
                reason=reason,
                field=field,
                local_value=local_value,
                server_value=server_value,
                seq=seq,
            )

    def refresh_conflicts(self, server_open: list[dict[str, Any]]) -> int:
        with self._write(None, "conflicts") as conn:
            return conflicts.refresh_from_server(conn, server_open)

    def conflicts(self, *, open_only: bool = True) -> list[conflicts.LocalConflict]:
        with self._read() as conn:
            return conflicts.list_conflicts(conn, open_only=open_only)
