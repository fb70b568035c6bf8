"""LocalStore: the device's store — one SQLite file plus a content-addressed blob directory.

Every public method runs in its own transaction unless given ``tx=`` — a connection from
:meth:`LocalStore.transaction` — in which case it joins that transaction. The sync engine uses
this to apply a pulled page and its cursor atomically::

    with store.transaction() as tx:
        store.upsert_customers(page_customers, tx=tx)
        store.set_meta("pull_cursor", str(page.cursor), tx=tx)

**Opening is cheap** (the app's first screen, bench/bench_app.py): ``open`` reads the schema
version and the device id with the standard library's sqlite3 (:mod:`client.localdb.reader`),
and the reads the first screen needs without a transaction of the caller's are answered there.
The SQLAlchemy engine, the migrations and the repositories (with the pydantic models they use)
are imported and made on first use — or by :meth:`LocalStore.warm`, which the app runs in the
background once the first screen is sent. A file that is new, older or newer than this code, or
has no device id yet, is migrated (or refused) right away, as before.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from client.localdb import store_sync
from client.localdb.blobs import BlobStore
from client.localdb.checkpoint import BackgroundCheckpointer
from client.localdb.lazy import LazyModule
from client.localdb.reader import DEFAULT_BUSY_TIMEOUT_MS, SCHEMA_VERSION, CustomerSummary, Reader
from client.localdb.timefmt import now_text, time_text

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from client.localdb import (
        customers,
        drafts,
        meta,
        migrations,
        orgdata,
        outbox,
        prefill,
        schema,
        tickets,
        touchpoints,
        visits,
    )
    from client.localdb import engine as db
    from client.localdb.outbox import OutboxEntry
    from client.localdb.visits import StoredPhotoInput, StoredVisit
    from shared.customers import Customer
    from shared.settings import OrgSettings
    from shared.sop import SopTemplate
    from shared.validation.report import ValidationReport
    from shared.visits import Visit
    from shared.workcal import WorkCalendar
else:
    customers = LazyModule("client.localdb.customers")
    drafts = LazyModule("client.localdb.drafts")
    db = LazyModule("client.localdb.engine")
    meta = LazyModule("client.localdb.meta")
    migrations = LazyModule("client.localdb.migrations")
    orgdata = LazyModule("client.localdb.orgdata")
    outbox = LazyModule("client.localdb.outbox")
    prefill = LazyModule("client.localdb.prefill")
    schema = LazyModule("client.localdb.schema")
    tickets = LazyModule("client.localdb.tickets")
    touchpoints = LazyModule("client.localdb.touchpoints")
    visits = LazyModule("client.localdb.visits")

BLOB_GC_GRACE_S = 3600.0
log = logging.getLogger("fieldledger.store")


def __getattr__(name: str) -> Any:
    """Names this module re-exported before its imports became lazy (PEP 562)."""
    if name in ("OutboxEntry", "StoredPhotoInput", "StoredVisit"):
        return getattr(outbox if name == "OutboxEntry" else visits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LocalStore(store_sync.SyncStoreMixin):
    """The store; the sync engine's part of it is :class:`SyncStoreMixin` (store_sync.py)."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.blobs = BlobStore(path.parent / f"{path.name}.blobs")
        self.pull_checkpointer = BackgroundCheckpointer(path)  # its thread starts at a pull
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._closed = False
        self.reader = Reader(path, busy_timeout_ms=busy_timeout_ms)
        try:
            self.schema_version, known = self.reader.open_state()
            self.device_id = known or ""
            if self.schema_version != SCHEMA_VERSION or not known:
                self._open_engine()  # new, to migrate, from a newer app (refused), no device id
        except BaseException:
            self.reader.close()
            raise

    def _open_engine(self, *, unless_closed: bool = False) -> Engine | None:
        """Make the SQLAlchemy engine once: migrate the file, make sure of the device id and
        the outbox counter (what opening did before the light path existed)."""
        with self._engine_lock:
            if self._engine is None and not (unless_closed and self._closed):
                made = db.make_engine(self.path, busy_timeout_ms=self.busy_timeout_ms)
                try:
                    self.schema_version = migrations.migrate(made)
                    with db.write_tx(made, "open") as conn:
                        known = self.device_id or uuid.uuid4().hex
                        self.device_id = meta.init_meta(conn, "device_id", known)
                        meta.init_meta(conn, outbox.NEXT_SEQ_KEY, "1")
                except BaseException:
                    made.dispose()
                    raise
                self._engine = made
            return self._engine

    @property
    def engine(self) -> Engine:
        made = self._engine or self._open_engine()
        assert made is not None
        return made

    def warm(self) -> None:
        """Make the engine and import every repository now (the app runs this in a thread once
        the first screen is sent), so the rep's first tap does not wait for them. Never raises:
        a failure here is met again, and shown, where the store is next used."""
        try:
            if self._open_engine(unless_closed=True) is None:
                return  # closed meanwhile
            for module in (customers, drafts, orgdata, prefill, tickets, touchpoints, visits):
                module.load()
            for name in store_sync.LAZY_MODULES:
                getattr(store_sync, name).load()
        except Exception:
            log.warning("warming the local store up failed", exc_info=True)

    @classmethod
    def open(
        cls, path: str | Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    ) -> LocalStore:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        return cls(p, busy_timeout_ms=busy_timeout_ms)

    def close(self) -> None:
        """Close the connections (a later use opens them again)."""
        with self._engine_lock:
            self._closed = True
            made = self._engine
        self.pull_checkpointer.stop()
        if made is not None:
            made.dispose()
        self.reader.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) to pass as ``tx=`` to other methods."""
        return db.write_tx(self.engine, "sync")

    def _write(self, tx: Connection | None, action: str) -> AbstractContextManager[Connection]:
        return db.maybe_write_tx(self.engine, tx, action)

    @contextmanager
    def _read(self, tx: Connection | None = None) -> Iterator[Connection]:
        if tx is not None:
            yield tx
        else:
            with db.read_tx(self.engine, "read") as conn:
                yield conn

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str, *, tx: Connection | None = None) -> str | None:
        if tx is None:
            return self.reader.get_meta(key)
        return meta.get_meta(tx, key)

    def set_meta(self, key: str, value: str, *, tx: Connection | None = None) -> None:
        with self._write(tx, "meta") as conn:
            meta.set_meta(conn, key, value)

    # -- organisation data (pulled) ------------------------------------------------------
    def put_settings(
        self, org_id: str, settings: OrgSettings, *, tx: Connection | None = None
    ) -> None:
        with self._write(tx, "settings") as conn:
            orgdata.put_settings(conn, org_id, settings)

    def get_settings(self, org_id: str) -> OrgSettings:
        with self._read() as conn:
            return orgdata.get_settings(conn, org_id)

    def org_timezone(self, org_id: str) -> ZoneInfo:
        """``get_settings(org_id).tz`` without validating the whole settings (first screen)."""
        name = self.reader.timezone_name(org_id)
        return ZoneInfo(name) if name is not None else self.get_settings(org_id).tz

    def put_calendar_json(
        self, org_id: str, json_text: str, *, tx: Connection | None = None
    ) -> None:
        with self._write(tx, "calendar") as conn:
            orgdata.put_calendar_json(conn, org_id, json_text)

    def get_calendar_json(self, org_id: str) -> str | None:
        with self._read() as conn:
            return orgdata.get_calendar_json(conn, org_id)

    def get_calendar(self, org_id: str) -> WorkCalendar | None:
        with self._read() as conn:
            return orgdata.get_calendar(conn, org_id)

    def put_sop(self, org_id: str, template: SopTemplate, *, tx: Connection | None = None) -> None:
        with self._write(tx, "SOP") as conn:
            orgdata.put_sop(conn, org_id, template)

    def get_sops(self, org_id: str) -> dict[str, SopTemplate]:
        with self._read() as conn:
            return orgdata.get_sops(conn, org_id)

    def upsert_customers(
        self, customer_list: list[Customer], *, tx: Connection | None = None
    ) -> None:
        with self._write(tx, "customers") as conn:
            customers.upsert_customers(conn, customer_list)

    def get_customer(self, customer_id: str) -> Customer:
        with self._read() as conn:
            return customers.get_customer(conn, customer_id)

    def list_customers(
        self,
        org_id: str,
        *,
        search: str = "",
        district: str = "",
        grade: str = "",
        limit: int = 200,
    ) -> list[Customer]:
        with self._read() as conn:
            return customers.list_customers(
                conn, org_id, search=search, district=district, grade=grade, limit=limit
            )

    def list_customer_summaries(
        self, org_id: str, *, limit: int = 100_000
    ) -> list[CustomerSummary]:
        """The light projection of every customer the list screen needs (no pydantic)."""
        return self.reader.customer_summaries(org_id, limit=limit)

    def customers_visited_since(self, since: datetime) -> set[str]:
        """Customers with a visit (not voided) captured at or after ``since``."""
        return self.reader.customers_visited_since(time_text(since, field="since"))

    def add_photo_hashes(
        self, rows: list[tuple[str, str, str]], *, tx: Connection | None = None
    ) -> None:
        with self._write(tx, "photo hashes") as conn:
            orgdata.add_photo_hashes(conn, rows)

    def photo_hash_rows(self) -> list[tuple[str, str, str]]:
        with self._read() as conn:
            return orgdata.photo_hash_rows(conn)

    def upsert_orders(self, rows: list[prefill.OrderRow], *, tx: Connection | None = None) -> None:
        with self._write(tx, "orders") as conn:
            prefill.upsert_orders(conn, rows)

    def prefill(self, customer_id: str) -> prefill.Prefill:
        with self._read() as conn:
            return prefill.prefill(conn, customer_id)

    # -- visits --------------------------------------------------------------------------
    def save_visit(
        self, visit: Visit, report: ValidationReport, photos: list[StoredPhotoInput]
    ) -> int:
        """Blobs first, then one transaction for every row; returns the outbox seq.

        A visit with an empty ``device_id`` is stamped with this store's device id."""
        if not visit.device_id:
            visit = visit.model_copy(update={"device_id": self.device_id})
        with self._read() as conn:
            if visits.visit_exists(conn, visit.id):
                raise visits.duplicate_error(visit.id)
        photo_rows = visits.write_blobs(self.blobs, visit, photos)
        with db.write_tx(self.engine, "visit") as conn:
            return visits.insert_visit(conn, visit, report, photo_rows)

    def void_visit(self, visit_id: str, reason: str, *, voided_at: datetime) -> int:
        with db.write_tx(self.engine, "void") as conn:
            return visits.insert_void(conn, visit_id, reason, voided_at)

    def get_visit(self, visit_id: str) -> StoredVisit:
        with self._read() as conn:
            return visits.get_visit(conn, visit_id)

    def list_visits(
        self, *, rep_id: str | None = None, since: datetime | None = None, limit: int = 500
    ) -> list[StoredVisit]:
        with self._read() as conn:
            return visits.list_visits(conn, rep_id=rep_id, since=since, limit=limit)

    # -- drafts --------------------------------------------------------------------------
    def save_draft(self, draft_id: str, data: dict[str, Any]) -> None:
        with db.write_tx(self.engine, "draft") as conn:
            drafts.save_draft(conn, draft_id, data)

    def load_draft(self, draft_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return drafts.load_draft(conn, draft_id)

    def list_drafts(self) -> list[tuple[str, datetime, dict[str, Any]]]:
        with self._read() as conn:
            return drafts.list_drafts(conn)

    def delete_draft(self, draft_id: str) -> None:
        with db.write_tx(self.engine, "draft") as conn:
            drafts.delete_draft(conn, draft_id)

    # -- outbox --------------------------------------------------------------------------
    def pending_changes(self, limit: int = 500) -> list[OutboxEntry]:
        with self._read() as conn:
            return outbox.pending(conn, limit)

    def outbox_entries(self) -> list[OutboxEntry]:
        """Every entry, acknowledged or not, ascending seq."""
        with self._read() as conn:
            return outbox.all_entries(conn)

    def mark_acked(
        self, seqs: list[int], *, server_epoch: str, tx: Connection | None = None
    ) -> None:
        with self._write(tx, "acknowledgement") as conn:
            outbox.mark_acked(conn, seqs, server_epoch)

    def requeue(self, seqs: list[int], *, tx: Connection | None = None) -> int:
        """Mark acknowledged entries pending again; returns how many changed."""
        with self._write(tx, "requeue") as conn:
            return outbox.requeue(conn, seqs)

    def requeue_after(self, seq: int, *, tx: Connection | None = None) -> int:
        """The server holds this device's changes up to ``seq``: push everything later again."""
        with self._write(tx, "requeue") as conn:
            return outbox.requeue_after(conn, seq)

    def requeue_unless_epoch(self, server_epoch: str, *, tx: Connection | None = None) -> int:
        """Push again every entry acknowledged by another server epoch than ``server_epoch``."""
        with self._write(tx, "requeue") as conn:
            return outbox.requeue_unless_epoch(conn, server_epoch)

    def record_failure(self, seq: int, error: str, *, tx: Connection | None = None) -> None:
        with self._write(tx, "failure") as conn:
            outbox.record_failure(conn, seq, error)

    # -- photo uploads and blob garbage collection ---------------------------------------
    def pending_photo_uploads(self, limit: int = 500) -> list[str]:
        """stored_sha256 of photos whose bytes the server has not confirmed yet."""
        from sqlalchemy import func, select

        photos_t = schema.visit_photos_t
        q = (
            select(photos_t.c.stored_sha256)
            .where(photos_t.c.uploaded_at.is_(None))
            .group_by(photos_t.c.stored_sha256)
            .order_by(func.min(photos_t.c.visit_id))
            .limit(limit)
        )
        with self._read() as conn:
            shas = list(conn.execute(q).scalars())
            shas += [s for s in tickets.pending_uploads(conn, limit) if s not in shas]
            return shas[:limit]

    def mark_photo_uploaded(self, stored_sha256: str, *, tx: Connection | None = None) -> None:
        from sqlalchemy import update

        photos_t = schema.visit_photos_t
        with self._write(tx, "upload") as conn:
            conn.execute(
                update(photos_t)
                .where(
                    photos_t.c.stored_sha256 == stored_sha256,
                    photos_t.c.uploaded_at.is_(None),
                )
                .values(uploaded_at=now_text())
            )
            tickets.mark_uploaded(conn, stored_sha256)

    def pending_counts(self) -> dict[str, int]:
        """Visits and photos not yet on the server (the status bar), and outbox entries."""
        return self.reader.pending_counts()

    def gc_blobs(self, *, older_than_s: float = BLOB_GC_GRACE_S) -> int:
        """Delete blobs no photo row refers to, once older than the grace period (a visit being
        saved writes its blobs before its rows). Also removes stale temp files."""
        from sqlalchemy import select

        photos_t = schema.visit_photos_t
        q = select(photos_t.c.stored_sha256, photos_t.c.thumb_sha256)
        with self._read() as conn:
            used = {h for row in conn.execute(q) for h in row} | tickets.referenced_blobs(conn)
            used |= touchpoints.referenced_blobs(conn)
        removed = 0
        for sha in list(self.blobs.all_hashes()):
            if sha not in used and self.blobs.age_s(sha) >= older_than_s:
                self.blobs.delete(sha)
                removed += 1
        return removed + self.blobs.remove_stale_temp_files(older_than_s)
