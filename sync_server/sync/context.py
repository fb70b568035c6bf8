"""Per-push caches: the organisation's settings, calendar, SOPs, customers and photo history.

Loaded once per request, so re-validating thousands of visits costs no extra queries. The
parsed models are also kept across requests (``WriteTx.parsed_cache``) under the record's
(org, type, id, server_seq, version): a stored state never changes under that key, so a new
request only re-reads the rows, not re-validates the models (a calendar takes milliseconds).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.customers import Customer
from shared.photos.reuse import PhotoHashIndex
from shared.settings import OrgSettings
from shared.sop import SopTemplate, default_sop_templates
from shared.validation.context import ValidationContext
from shared.workcal import WorkCalendar, china_calendar
from sync_server.storage.base import Assignment, Scope, StoredRecord, WriteTx


def _nothing() -> None:
    return None


@functools.lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return china_calendar()


M = TypeVar("M", bound=BaseModel)
_CACHE_MAX = 4096


def parsed(cache: dict[tuple[Any, ...], Any], model: type[M], rec: StoredRecord) -> M:
    """``model.model_validate(rec.payload)``, once per stored state of the record."""
    key = (rec.org_id, rec.record_type, rec.record_id, rec.server_seq, rec.version, model)
    hit = cache.get(key)
    if hit is None:
        hit = model.model_validate(rec.payload)
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = hit
    return hit


class PushContext:
    def __init__(self, tx: WriteTx, scope: Scope) -> None:
        self.tx = tx
        self.scope = scope
        self.now = time.time()
        self._settings: OrgSettings | None = None
        self._calendar: WorkCalendar | None = None
        self._sops: dict[str, SopTemplate] | None = None
        self._history: PhotoHashIndex | None = None
        self._customers: dict[str, Customer] = {}
        self._records: dict[tuple[str, str], StoredRecord | None] = {}
        self._assignments: dict[str, list[Assignment]] = {}
        shared: dict[tuple[Any, ...], Any] | None = getattr(tx, "parsed_cache", None)
        self._parsed: dict[tuple[Any, ...], Any] = {} if shared is None else shared
        self._local: dict[tuple[Any, ...], Any] = {}  # records written by this transaction
        self._written: set[tuple[str, str]] = set()
        self._contexts: dict[tuple[str, int, str], ValidationContext] = {}
        # visit changes read ahead of judging, by id(change) (sync/visits.read_visits_ahead)
        self.visits_read: dict[int, Any] = {}

    # --- prefetch --------------------------------------------------------------------------
    def prefetch(self, record_type: str, ids: list[str]) -> None:
        self.prefetch_later(record_type, ids)()

    def prefetch_later(self, record_type: str, ids: list[str]) -> Callable[[], None]:
        """:meth:`prefetch`, asked now and kept when the returned function is called (a
        pipelining database answers meanwhile: ``WriteTx.get_records_later``)."""
        wanted = [i for i in dict.fromkeys(ids) if (record_type, i) not in self._records]
        if not wanted:
            return _nothing
        found = self.tx.get_records_later(record_type, wanted)

        def keep() -> None:
            got = found()
            for rid in wanted:
                self._records[(record_type, rid)] = got.get(rid)

        return keep

    def prefetch_assignments(self, customer_ids: list[str]) -> None:
        wanted = [c for c in dict.fromkeys(customer_ids) if c not in self._assignments]
        for c in wanted:
            self._assignments[c] = []
        for a in self.tx.assignments(wanted):
            self._assignments[a.customer_id].append(a)

    def record(self, record_type: str, record_id: str) -> StoredRecord | None:
        key = (record_type, record_id)
        if key not in self._records:
            self.prefetch(record_type, [record_id])
        return self._records[key]

    def _cache_for(self, rec: StoredRecord) -> dict[tuple[Any, ...], Any]:
        """Committed states go to the shared cache; this transaction's own writes (which may
        still roll back and free their server_seq) stay in a per-request one."""
        if (rec.record_type, rec.record_id) in self._written:
            return self._local
        return self._parsed

    def put(self, rec: StoredRecord, *, new: bool = False) -> None:
        """Write ``rec``; ``new``: :meth:`record` found no record of its key (stored or
        written earlier in this push)."""
        self._written.add((rec.record_type, rec.record_id))
        self._records[(rec.record_type, rec.record_id)] = rec
        if rec.record_type == "customer":
            self._customers.pop(rec.record_id, None)
        self.tx.put_records([rec], known_new=new)

    def assignments(self, customer_id: str) -> list[Assignment]:
        if customer_id not in self._assignments:
            self.prefetch_assignments([customer_id])
        return self._assignments[customer_id]

    def context(self, customer: StoredRecord, action_type: str) -> ValidationContext:
        """The context of a visit without photos (no history to consult), one per customer and
        action type in this push."""
        key = (customer.record_id, customer.server_seq, action_type)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = ValidationContext(
                settings=self.settings,
                calendar=self.calendar,
                customer=self.customer_model(customer),
                sop=self.sop(action_type),
            )
        return ctx

    def customer_model(self, rec: StoredRecord) -> Customer:
        model = self._customers.get(rec.record_id)
        if model is None:
            model = parsed(self._cache_for(rec), Customer, rec)
            self._customers[rec.record_id] = model
        return model

    # --- organisation data -----------------------------------------------------------------
    @property
    def settings(self) -> OrgSettings:
        if self._settings is None:
            rec = self.record("settings", "settings")
            self._settings = (
                parsed(self._cache_for(rec), OrgSettings, rec)
                if rec and not rec.deleted
                else OrgSettings()
            )
        return self._settings

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            rec = self.record("calendar", "calendar")
            self._calendar = (
                parsed(self._cache_for(rec), WorkCalendar, rec)
                if rec and not rec.deleted
                else default_calendar()
            )
        return self._calendar

    def sop(self, action_type: str) -> SopTemplate | None:
        if self._sops is None:
            self._sops = dict(default_sop_templates())
            for rec in self.tx.all_records("sop"):
                self._sops[rec.record_id] = parsed(self._cache_for(rec), SopTemplate, rec)
        return self._sops.get(action_type)

    @property
    def history(self) -> PhotoHashIndex:
        if self._history is None:
            index = PhotoHashIndex()
            for rec in self.tx.all_records("photo_hash"):
                p: dict[str, Any] = rec.payload
                index.add(p["sha256"], p["phash"], p["visit_ref"])
            self._history = index
        return self._history
