"""My visits (today / this week) with validation and sync state; one visit's detail; void."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from client import clock
from client.i18n import Msg
from client.localdb.store import LocalStore
from client.localdb.visits import StoredVisit
from client.viewmodels.account import error_msg
from client.viewmodels.customers import start_of_day, start_of_week
from client.viewmodels.visit_form import RuleRow, rule_rows, slot_labels, sops_for
from shared.errors import FieldledgerError, NotFound


@dataclass(frozen=True)
class VisitRow:
    stored: StoredVisit
    customer_name: str
    action_label: str

    @property
    def state_key(self) -> str:
        if self.stored.voided:
            return "visits.voided"
        return "visits.synced" if self.stored.sync_state == "synced" else "visits.pending"


@dataclass
class MyVisitsVM:
    store: LocalStore
    org_id: str
    lang: str = "zh"
    period: str = "today"  # "today" | "week"
    now: Callable[[], datetime] = clock.wall_now
    rows: list[VisitRow] = field(default_factory=list)

    def set_period(self, period: str) -> None:
        if period not in ("today", "week"):
            raise ValueError(period)
        self.period = period
        self.load()

    def load(self) -> None:
        tz = self.store.get_settings(self.org_id).tz
        now = self.now().astimezone(tz)
        since = start_of_day(now) if self.period == "today" else start_of_week(now)
        sops = sops_for(self.store, self.org_id)
        names: dict[str, str] = {}
        rows = []
        for sv in self.store.list_visits(since=since, limit=2000):
            cid = sv.visit.customer_id
            if cid not in names:
                try:
                    names[cid] = self.store.get_customer(cid).name
                except NotFound:
                    names[cid] = cid
            sop = sops.get(sv.visit.action_type)
            label = sop.label.for_lang(self.lang) if sop else sv.visit.action_type
            rows.append(VisitRow(sv, names[cid], label))
        self.rows = rows


@dataclass
class VisitDetailVM:
    store: LocalStore
    visit_id: str
    lang: str = "zh"
    now: Callable[[], datetime] = clock.wall_now
    stored: StoredVisit | None = None
    void_reason: str = ""
    error: Msg | None = None
    notice: Msg | None = None

    def load(self) -> None:
        self.stored = self.store.get_visit(self.visit_id)

    @property
    def slot_labels(self) -> dict[str, str]:
        if self.stored is None:
            return {}
        sop = sops_for(self.store, self.stored.visit.org_id).get(self.stored.visit.action_type)
        return slot_labels(sop, self.lang)

    @property
    def rules(self) -> list[RuleRow]:
        return rule_rows(self.stored.report if self.stored else None, self.lang, self.slot_labels)

    def photo_bytes(self) -> list[tuple[str, bytes]]:
        """(slot, stored JPEG) of each photo the device still holds."""
        if self.stored is None:
            return []
        return [
            (p.slot, self.store.blobs.get(p.stored_sha256))
            for p in self.stored.photos
            if self.store.blobs.has(p.stored_sha256)
        ]

    def void(self) -> bool:
        """Void with a reason; the original stays as evidence. False (and ``error``) if refused."""
        self.error = self.notice = None
        if not self.void_reason.strip():
            self.error = Msg("detail.void_need_reason")
            return False
        try:
            self.store.void_visit(self.visit_id, self.void_reason.strip(), voided_at=self.now())
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        self.load()
        self.notice = Msg("detail.voided_ok")
        return True
