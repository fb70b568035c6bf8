"""The new-visit form: action -> SOP checklist, one photo per slot, GPS, result fields, and a
live validation report that the rep sees change as they work. Every change saves the draft.

Photos are analysed once when added (hashes, EXIF, a thumbnail), cached by SHA-256; their
captured bytes are kept in the draft photo directory so a killed app resumes with them. Submit
goes through :func:`client.capture.capture_visit` (the one place a visit is made and saved).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from client import clock
from client.anchor import read_anchor
from client.capture import CaptureRequest, PhotoInput, build_context, capture_visit
from client.i18n import Msg
from client.localdb.store import LocalStore
from client.viewmodels.account import Account, error_msg
from client.viewmodels.draft_photos import draft_photo_store
from shared.customers import Customer
from shared.errors import FieldledgerError
from shared.photos import process_photo, to_evidence
from shared.sop import FieldKind, SopTemplate, default_sop_templates
from shared.validation.context import ValidationContext
from shared.validation.engine import validate_visit
from shared.validation.report import RuleResult, ValidationReport
from shared.visits import CaptureStamp, GpsFix, PhotoEvidence, Provenance, Visit

DRAFT_KIND = "visit_form"


@dataclass(frozen=True)
class SlotPhoto:
    slot: str
    sha256: str  # of the captured bytes, also their key in the draft photo directory
    provenance: Provenance
    stamp: CaptureStamp | None
    evidence: PhotoEvidence
    thumbnail: bytes


@dataclass(frozen=True)
class RuleRow:
    code: str
    status: str  # "pass" | "block" | "warn"
    text: str
    hint: str


@dataclass(frozen=True)
class SubmitOutcome:
    visit_id: str
    report: ValidationReport
    message: Msg


def rule_rows(
    report: ValidationReport | None, lang: str, subjects: dict[str, str] | None = None
) -> list[RuleRow]:
    """One row per rule; ``subjects`` names a rule's subject for the rep (photo slot code ->
    the slot's label, e.g. "storefront" -> "门头")."""
    rows = []
    for r in report.results if report else ():
        status = "pass" if r.passed else ("block" if r.blocks else "warn")
        rows.append(RuleRow(r.code.value, status, _label(r, lang, subjects), r.hint(lang)))
    return rows


def slot_labels(sop: SopTemplate | None, lang: str) -> dict[str, str]:
    return {s.code: s.label.for_lang(lang) for s in sop.photo_slots} if sop else {}


def _label(r: RuleResult, lang: str, subjects: dict[str, str] | None = None) -> str:
    text = r.message(lang)
    if not r.subject:
        return text
    return f"{(subjects or {}).get(r.subject, r.subject)} · {text}"


def sops_for(store: LocalStore, org_id: str) -> dict[str, SopTemplate]:
    """The organisation's pulled SOPs; the built-in four before the first sync."""
    return store.get_sops(org_id) or default_sop_templates()


class VisitFormVM:
    def __init__(
        self,
        store: LocalStore,
        account: Account,
        customer_id: str,
        *,
        visit_id: str | None = None,
        amends: str | None = None,
        now: Callable[[], datetime] = clock.wall_now,
    ) -> None:
        self.store = store
        self.account = account
        self.customer: Customer = store.get_customer(customer_id)
        self.visit_id = visit_id or uuid.uuid4().hex
        self.amends = amends
        self.now = now
        self.sops = sops_for(store, account.org_id)
        self.action_type = next(iter(self.sops)) if self.sops else ""
        self.checklist: dict[str, bool] = {}
        self.result_raw: dict[str, str] = {}
        self.result_errors: dict[str, Msg] = {}
        self.notes = ""
        self.gps: GpsFix | None = None
        self.photos: dict[str, SlotPhoto] = {}
        self.photo_error: Msg | None = None
        self.report: ValidationReport | None = None
        self.submitted: SubmitOutcome | None = None
        self._blobs = draft_photo_store(store)
        self._ctx: tuple[str, ValidationContext] | None = None

    # -- draft persistence ---------------------------------------------------------------
    def to_draft(self) -> dict[str, Any]:
        return {
            "kind": DRAFT_KIND,
            "customer_id": self.customer.id,
            "amends": self.amends,
            "action_type": self.action_type,
            "checklist": self.checklist,
            "result": self.result_raw,
            "notes": self.notes,
            "gps": self.gps.model_dump(mode="json") if self.gps else None,
            "photos": [
                {
                    "slot": p.slot,
                    "sha256": p.sha256,
                    "provenance": p.provenance.value,
                    "stamp": p.stamp.model_dump(mode="json") if p.stamp else None,
                }
                for p in self.photos.values()
            ],
        }

    @classmethod
    def resume(
        cls,
        store: LocalStore,
        account: Account,
        draft_id: str,
        *,
        now: Callable[[], datetime] = clock.wall_now,
    ) -> VisitFormVM:
        data = store.load_draft(draft_id)
        if data is None or data.get("kind") != DRAFT_KIND:
            raise KeyError(draft_id)
        vm = cls(
            store, account, data["customer_id"], visit_id=draft_id, amends=data.get("amends"),
            now=now,
        )  # fmt: skip
        if data.get("action_type") in vm.sops:
            vm.action_type = data["action_type"]
        vm.checklist = {k: bool(v) for k, v in data.get("checklist", {}).items()}
        vm.notes = str(data.get("notes", ""))
        vm.gps = GpsFix.model_validate(data["gps"]) if data.get("gps") else None
        for code, raw in data.get("result", {}).items():
            vm._set_result(code, str(raw))
        for p in data.get("photos", []):
            if not vm._blobs.has(p["sha256"]):
                continue  # the bytes are gone: the slot shows as missing again
            stamp = CaptureStamp.model_validate(p["stamp"]) if p.get("stamp") else None
            vm._analyse(p["slot"], vm._blobs.get(p["sha256"]), Provenance(p["provenance"]), stamp)
        vm.revalidate()
        return vm

    def _changed(self) -> None:
        self.store.save_draft(self.visit_id, self.to_draft())
        self.revalidate()

    # -- what the rep does ---------------------------------------------------------------
    @property
    def sop(self) -> SopTemplate | None:
        return self.sops.get(self.action_type)

    def set_action(self, action_type: str) -> None:
        if action_type not in self.sops:
            raise ValueError(f"unknown action type {action_type!r}")
        self.action_type = action_type
        sop = self.sops[action_type]
        keep = {c.code for c in sop.checklist}
        self.checklist = {k: v for k, v in self.checklist.items() if k in keep}
        self._changed()

    def set_check(self, code: str, done: bool) -> None:
        self.checklist[code] = done
        self._changed()

    def _set_result(self, code: str, raw: str) -> None:
        self.result_raw[code] = raw
        self.result_errors.pop(code, None)
        field = (
            next((f for f in self.sop.result_fields if f.code == code), None) if self.sop else None
        )
        if field and raw.strip() and field.kind in (FieldKind.INT, FieldKind.NUMBER):
            try:
                int(raw) if field.kind is FieldKind.INT else float(raw)
            except ValueError:
                self.result_errors[code] = Msg("visit.bad_number", {"field": field.label.zh})

    def set_result(self, code: str, raw: str) -> None:
        self._set_result(code, raw)
        self._changed()

    def set_notes(self, text: str) -> None:
        self.notes = text
        self._changed()

    def set_gps(self, fix: GpsFix | None) -> None:
        self.gps = fix
        self._changed()

    def _analyse(
        self, slot: str, data: bytes, provenance: Provenance, stamp: CaptureStamp | None
    ) -> SlotPhoto:
        processed = process_photo(data)
        sha = self._blobs.put(data)
        photo = SlotPhoto(
            slot=slot,
            sha256=sha,
            provenance=provenance,
            stamp=stamp,
            evidence=to_evidence(
                processed.info, slot=slot, provenance=provenance, capture_stamp=stamp
            ),
            thumbnail=processed.thumbnail,
        )
        self.photos[slot] = photo
        return photo

    def add_photo(
        self,
        slot: str,
        data: bytes,
        provenance: Provenance = Provenance.FILE_PICKER,
        stamp: CaptureStamp | None = None,
    ) -> bool:
        """Analyse a photo once and put it in ``slot``; False (and ``photo_error``) if unusable."""
        self.photo_error = None
        try:
            self._analyse(slot, data, provenance, stamp)
        except FieldledgerError as exc:
            self.photo_error = Msg("visit.photo_bad", {"reason": error_msg(exc)})
            return False
        self._changed()
        return True

    def remove_photo(self, slot: str) -> None:
        self.photos.pop(slot, None)
        self._changed()

    # -- live validation -----------------------------------------------------------------
    def result_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        fields = {f.code: f for f in self.sop.result_fields} if self.sop else {}
        for code, raw in self.result_raw.items():
            f = fields.get(code)
            if f is None or not raw.strip() or code in self.result_errors:
                continue
            if f.kind is FieldKind.BOOL:
                out[code] = raw == "true"
            elif f.kind is FieldKind.INT:
                out[code] = int(raw)
            elif f.kind is FieldKind.NUMBER:
                out[code] = float(raw)
            elif f.kind is FieldKind.MULTI:  # raw: the ticked choice codes, comma-joined
                out[code] = [c for c in f.choices if c in raw.split(",")]
            else:
                out[code] = raw.strip()
        return out

    def _context(self) -> ValidationContext:
        if self._ctx is None or self._ctx[0] != self.action_type:
            ctx = build_context(self.store, self.account.org_id, self.customer, self.action_type)
            if ctx.sop is None and self.sop is not None:
                ctx = ValidationContext(
                    ctx.settings, ctx.calendar, ctx.customer, self.sop, ctx.history
                )
            self._ctx = (self.action_type, ctx)
        return self._ctx[1]

    def ordered_photos(self) -> list[SlotPhoto]:
        order = [s.code for s in self.sop.photo_slots] if self.sop else []
        return sorted(
            (p for p in self.photos.values() if p.slot in order), key=lambda p: order.index(p.slot)
        )

    def visit_in_progress(self) -> Visit:
        reading = read_anchor(self.store)
        return Visit(
            id=self.visit_id,
            org_id=self.account.org_id,
            customer_id=self.customer.id,
            rep_id=self.account.rep_id,
            device_id=self.store.device_id,
            action_type=self.action_type,
            checklist=dict(self.checklist),
            result=self.result_values(),
            notes=self.notes,
            device_time=self.now(),
            anchor=reading.anchor,
            elapsed_since_anchor_ms=reading.elapsed_since_anchor_ms,
            gps=self.gps,
            photos=[p.evidence for p in self.ordered_photos()],
            amends=self.amends,
        )

    def revalidate(self) -> ValidationReport:
        self.report = validate_visit(self.visit_in_progress(), self._context())
        return self.report

    @property
    def counts(self) -> bool:
        return self.report is not None and self.report.counts

    # -- submit / discard ----------------------------------------------------------------
    def submit(self) -> SubmitOutcome:
        """Save the visit locally in one step (photos processed, judged, outbox entry)."""
        photos = [
            PhotoInput(p.slot, self._blobs.get(p.sha256), p.provenance, p.stamp)
            for p in self.ordered_photos()
        ]
        req = CaptureRequest(
            org_id=self.account.org_id,
            rep_id=self.account.rep_id,
            customer_id=self.customer.id,
            action_type=self.action_type,
            gps=self.gps,
            photos=photos,
            checklist=dict(self.checklist),
            result=self.result_values(),
            notes=self.notes,
            amends=self.amends,
            visit_id=self.visit_id,
        )
        outcome = capture_visit(self.store, req)
        self.store.delete_draft(self.visit_id)
        self._drop_photo_bytes()
        failed = len(outcome.report.blocking)
        msg = (
            Msg("visit.saved_counts")
            if outcome.report.counts
            else Msg("visit.saved_blocked", {"n": failed})
        )
        self.report = outcome.report
        self.submitted = SubmitOutcome(outcome.visit.id, outcome.report, msg)
        return self.submitted

    def discard(self) -> None:
        self.store.delete_draft(self.visit_id)
        self._drop_photo_bytes()

    def _drop_photo_bytes(self) -> None:
        for p in self.photos.values():
            if self._blobs.has(p.sha256):
                self._blobs.delete(p.sha256)
