"""Reporting a problem 问题上报 (docs/tickets.md, "On the device"): the five-dimension ticket.

The report works offline: problem type -> root-cause tree (the pulled ``root_cause_tree``,
``default_root_cause_tree()`` before the first sync), scenario (pre-filled from a visit or a
customer, or typed), impact scope, text and up to 5 photos through the visit photo pipeline
**or** one short video (MP4 / QuickTime / WebM, recognised and timed by
``shared.tickets.video``, within the pulled ``TicketSettings`` video limits), never both.
Saving writes the photo or video blobs, then their rows and the outbox entry in one
transaction, with the trusted-time anchor fields as on visits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from client import clock
from client.anchor import read_anchor
from client.i18n import Msg
from client.localdb import tickets as tickets_db
from client.localdb.blobs import sha256_hex
from client.localdb.store import LocalStore
from client.localdb.tickets import TicketPhotoInput
from client.viewmodels.account import error_msg
from client.viewmodels.customers import start_of_day
from shared.customers import Customer
from shared.errors import FieldledgerError, NotFound
from shared.photos import process_photo
from shared.tickets import (
    AnswerScript,
    ImpactScope,
    ProblemType,
    RootCauseNode,
    RootCauseTree,
    Scenario,
    Ticket,
    TicketSettings,
    VideoEvidence,
    check_evidence,
    default_root_cause_tree,
    parse_ticket,
    scenario_from_visit,
)
from shared.tickets.model import Evidence
from shared.tickets.video import probe_video
from shared.trusted_time import trusted_time

TREE_ID = "root_causes"
SETTINGS_ID = "ticket_settings"


# -- configuration pulled org-wide ------------------------------------------------------------


def load_tree(store: LocalStore) -> RootCauseTree:
    """The organisation's root-cause tree; the seed tree before the first sync."""
    for rid, _version, payload in store.pulled_records("root_cause_tree"):
        nodes = payload.get("nodes")
        if rid == TREE_ID and isinstance(nodes, list):
            try:
                return RootCauseTree.from_data(nodes)
            except (FieldledgerError, ValueError):
                break
    return default_root_cause_tree()


def load_scripts(store: LocalStore) -> list[AnswerScript]:
    out = []
    for _rid, _version, payload in store.pulled_records("answer_script"):
        try:
            out.append(AnswerScript.model_validate(payload))
        except ValueError:
            continue
    return out


def load_ticket_settings(store: LocalStore) -> TicketSettings:
    for rid, _version, payload in store.pulled_records("ticket_settings"):
        if rid == SETTINGS_ID:
            try:
                return TicketSettings.model_validate(payload)
            except ValueError:
                break
    return TicketSettings()


def node_label(node: RootCauseNode, lang: str) -> str:
    return node.label("zh" if lang.startswith("zh") else "en")


def cause_label(tree: RootCauseTree, node_id: str | None, lang: str) -> str:
    """``family › cause`` below the problem type ('' when there is no root cause)."""
    if not node_id:
        return ""
    try:
        path = tree.path(node_id)
    except FieldledgerError:
        return node_id
    return " › ".join(node_label(n, lang) for n in path[1:])


# -- the report form ----------------------------------------------------------------------


@dataclass(frozen=True)
class DraftTicketPhoto:
    sha256: str  # of the captured bytes
    stored_sha256: str
    stored: bytes
    thumbnail: bytes


@dataclass(frozen=True)
class DraftTicketVideo:
    data: bytes
    evidence: VideoEvidence  # sha256, size, duration and type read from the bytes


SCOPE_NEEDS = {
    ImpactScope.CUSTOMER: "customer_id",
    ImpactScope.DISTRICT: "district",
    ImpactScope.PROVINCE: "province",
}


class ReportTicketVM:
    """State and actions of the report-a-problem screen."""

    def __init__(
        self,
        store: LocalStore,
        org_id: str,
        reporter_id: str,
        lang: str = "zh",
        *,
        visit_id: str | None = None,
        customer_id: str | None = None,
        now: Callable[[], datetime] = clock.wall_now,
    ) -> None:
        self.store, self.org_id, self.reporter_id, self.lang = store, org_id, reporter_id, lang
        self.now = now
        self.tree = load_tree(store)
        self.settings = load_ticket_settings(store)
        self.problem_type: ProblemType | None = None
        self.family_id: str | None = None
        self.cause_id: str | None = None
        self.text = ""
        self.photos: list[DraftTicketPhoto] = []
        self.video: DraftTicketVideo | None = None
        self.error: Msg | None = None
        self.field_error = ""
        self.photo_error: Msg | None = None
        self.saved: Ticket | None = None
        self.scenario = Scenario()
        self.customer_name = ""
        if visit_id:
            self.use_visit(visit_id)
        elif customer_id:
            self.use_customer(customer_id)
        self.scope = self._default_scope()

    # -- scenario ----------------------------------------------------------------------------
    def _customer(self, customer_id: str) -> Customer | None:
        try:
            return self.store.get_customer(customer_id)
        except NotFound:
            return None

    def use_visit(self, visit_id: str) -> None:
        """Pre-fill the scenario from a visit: its customer, place, GPS fix and trusted time."""
        visit = self.store.get_visit(visit_id).visit
        customer = self._customer(visit.customer_id)
        self.scenario = scenario_from_visit(visit, customer)
        self.customer_name = customer.name if customer else visit.customer_id
        self.scope = self._default_scope()

    def use_customer(self, customer_id: str) -> None:
        c = self._customer(customer_id)
        self.scenario = Scenario(
            customer_id=customer_id,
            place=(c.address or c.name) if c else "",
            district=c.district if c else "",
            province=c.province if c else "",
        )
        self.customer_name = c.name if c else customer_id
        self.scope = self._default_scope()

    def recent_visits(self) -> list[tuple[str, str]]:
        """(visit id, 'HH:MM customer') of today's visits, to report from one of them."""
        tz = self.store.get_settings(self.org_id).tz
        since = start_of_day(self.now().astimezone(tz))
        out = []
        for sv in self.store.list_visits(since=since, limit=50):
            c = self._customer(sv.visit.customer_id)
            when = sv.visit.device_time.astimezone(tz).strftime("%H:%M")
            out.append((sv.visit.id, f"{when} {c.name if c else sv.visit.customer_id}"))
        return out

    def set_place(self, place: str = "", district: str = "", province: str = "") -> None:
        self.scenario = self.scenario.model_copy(
            update={
                "place": place.strip(),
                "district": district.strip(),
                "province": province.strip(),
            }
        )

    def _default_scope(self) -> ImpactScope:
        if self.scenario.customer_id:
            return ImpactScope.CUSTOMER
        if self.scenario.district:
            return ImpactScope.DISTRICT
        if self.scenario.province:
            return ImpactScope.PROVINCE
        return ImpactScope.NATIONAL

    def set_scope(self, scope: str) -> None:
        self.scope = ImpactScope(scope)

    def scope_available(self, scope: ImpactScope) -> bool:
        needed = SCOPE_NEEDS.get(scope)
        return needed is None or bool(getattr(self.scenario, needed))

    # -- problem type and root cause ---------------------------------------------------------
    def type_options(self) -> list[tuple[str, str]]:
        return [(p.value, Msg(f"tk.type.{p.value}").text(self.lang)) for p in ProblemType]

    def set_type(self, value: str) -> None:
        self.problem_type = ProblemType(value)
        self.family_id = self.cause_id = None

    def family_options(self) -> list[tuple[str, str]]:
        if self.problem_type is None:
            return []
        kids = self.tree.children(self.problem_type.value)
        return [(n.id, node_label(n, self.lang)) for n in kids if n.active]

    def set_family(self, node_id: str | None) -> None:
        self.family_id = node_id or None
        self.cause_id = None

    def cause_options(self) -> list[tuple[str, str]]:
        if self.family_id is None:
            return []
        return [
            (n.id, node_label(n, self.lang)) for n in self.tree.children(self.family_id) if n.active
        ]

    def set_cause(self, node_id: str | None) -> None:
        self.cause_id = node_id or None

    @property
    def root_cause_id(self) -> str | None:
        return self.cause_id or self.family_id

    # -- photos ------------------------------------------------------------------------------
    def add_photo(self, data: bytes) -> bool:
        """Through the visit photo pipeline; False (and ``photo_error``) if refused."""
        self.photo_error = None
        if self.video is not None:
            self.photo_error = Msg("tk.no_photos_with_video")
            return False
        if len(self.photos) >= self.settings.max_photos:
            self.photo_error = Msg("tk.photo_limit", {"n": self.settings.max_photos})
            return False
        try:
            processed = process_photo(data)
        except FieldledgerError as exc:
            self.photo_error = Msg("tk.photo_bad", {"reason": error_msg(exc)})
            return False
        if any(p.sha256 == processed.info.sha256 for p in self.photos):
            self.photo_error = Msg("tk.photo_twice")
            return False
        self.photos.append(
            DraftTicketPhoto(
                processed.info.sha256,
                processed.stored_sha256,
                processed.stored,
                processed.thumbnail,
            )
        )
        return True

    def remove_photo(self, index: int) -> None:
        if 0 <= index < len(self.photos):
            del self.photos[index]

    # -- video -------------------------------------------------------------------------------
    def add_video(self, data: bytes) -> bool:
        """One short video instead of photos; False (and ``photo_error``) if refused: photos
        already attached, not an MP4 / QuickTime / WebM, or over the organisation's limits."""
        self.photo_error = None
        if self.photos:
            self.photo_error = Msg("tk.no_video_with_photos")
            return False
        try:
            info = probe_video(data)
            video = VideoEvidence(
                sha256=sha256_hex(data),
                size_bytes=len(data),
                duration_s=info.duration_s,
                mime=info.mime,
            )
            check_evidence(Evidence(video=video), self.settings)
        except FieldledgerError as exc:
            self.photo_error = Msg("tk.video_bad", {"reason": error_msg(exc)})
            return False
        self.video = DraftTicketVideo(data, video)
        return True

    def remove_video(self) -> None:
        self.video = None

    # -- submit ------------------------------------------------------------------------------
    def _refuse(self, field: str, msg: Msg) -> None:
        self.field_error, self.error = field, msg

    def _check(self) -> bool:
        self.error, self.field_error = None, ""
        if self.problem_type is None:
            self._refuse("problem_type", Msg("tk.need_type"))
        elif not self.text.strip():
            self._refuse("text", Msg("tk.need_text"))
        elif not self.scope_available(self.scope):
            self._refuse("impact_scope", Msg(f"tk.scope_needs.{self.scope.value}"))
        return self.error is None

    def build(self) -> Ticket:
        reading = read_anchor(self.store)
        device_time = self.now()
        scenario = self.scenario
        if scenario.occurred_at is None:  # standalone: it happened now (trusted time)
            when = trusted_time(device_time, reading.anchor, reading.elapsed_since_anchor_ms)
            scenario = scenario.model_copy(update={"occurred_at": when.value})
        data: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "org_id": self.org_id,
            "reporter_id": self.reporter_id,
            "device_id": self.store.device_id,
            "problem_type": self.problem_type.value if self.problem_type else "",
            "root_cause_id": self.root_cause_id,
            "scenario": scenario.model_dump(mode="json"),
            "impact_scope": self.scope.value,
            "text": self.text.strip(),
            "evidence": (
                {"video": self.video.evidence.model_dump(mode="json")}
                if self.video is not None
                else {"photos": [p.stored_sha256 for p in self.photos]}
            ),
            "device_time": device_time.isoformat(),
            "anchor": reading.anchor.model_dump(mode="json") if reading.anchor else None,
            "elapsed_since_anchor_ms": reading.elapsed_since_anchor_ms,
        }
        return parse_ticket(data)

    def submit(self) -> Ticket | None:
        """Save offline with its outbox entry; the ticket, or None with ``error`` saying why."""
        if not self._check():
            return None
        try:
            ticket = self.build()
            assert self.problem_type is not None
            self.tree.check_for_ticket(ticket.root_cause_id, self.problem_type)
            check_evidence(ticket.evidence, self.settings)
            photos = [TicketPhotoInput(p.sha256, p.stored, p.thumbnail) for p in self.photos]
            video = self.video.data if self.video is not None else None
            tickets_db.save_ticket(self.store, ticket, photos, video)
        except FieldledgerError as exc:
            self._refuse(exc.field or "", error_msg(exc))
            return None
        self.saved = ticket
        return ticket
