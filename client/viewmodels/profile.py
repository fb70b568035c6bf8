"""The customer profile: pre-filled history, past visits with thumbnails, open drafts."""

from __future__ import annotations

from dataclasses import dataclass, field

from client.localdb.prefill import Prefill
from client.localdb.store import LocalStore
from client.localdb.visits import StoredVisit
from client.viewmodels.visit_form import DRAFT_KIND, sops_for
from shared.customers import Customer

PAST_VISITS = 20


@dataclass(frozen=True)
class PastVisit:
    stored: StoredVisit
    action_label: str
    thumbnails: list[bytes]


@dataclass
class CustomerProfileVM:
    store: LocalStore
    org_id: str
    customer_id: str
    lang: str = "zh"
    customer: Customer | None = None
    prefill: Prefill | None = None
    visits: list[PastVisit] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)

    def load(self) -> None:
        self.customer = self.store.get_customer(self.customer_id)
        self.prefill = self.store.prefill(self.customer_id)
        sops = sops_for(self.store, self.org_id)
        mine = [
            sv
            for sv in self.store.list_visits(limit=5000)
            if sv.visit.customer_id == self.customer_id
        ][:PAST_VISITS]
        self.visits = [
            PastVisit(
                sv,
                sops[sv.visit.action_type].label.for_lang(self.lang)
                if sv.visit.action_type in sops
                else sv.visit.action_type,
                [
                    self.store.blobs.get(p.thumb_sha256)
                    for p in sv.photos
                    if p.thumb_sha256 and self.store.blobs.has(p.thumb_sha256)
                ],
            )
            for sv in mine
        ]
        self.drafts = [
            draft_id
            for draft_id, _, data in self.store.list_drafts()
            if data.get("kind") == DRAFT_KIND and data.get("customer_id") == self.customer_id
        ]

    @property
    def intervals_text(self) -> str:
        if not self.prefill or not self.prefill.last_visit_intervals_days:
            return ""
        return " / ".join(f"{d:.0f}" for d in self.prefill.last_visit_intervals_days)
