"""Logging a customer inquiry 客户询价/咨询 or a proposal sent 方案发送 (with its document), and
the customer's contacts with their decision role — offline, through the outbox
(docs/targets.md, "Touchpoints and contacts")."""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from client.i18n import Msg
from client.localdb import touchpoints as tpdb
from client.localdb.blobs import sha256_hex
from client.localdb.store import LocalStore
from client.viewmodels.account import error_msg
from shared.changes import ATTACHMENT_MIMES, AttachmentRef, Contact, Touchpoint
from shared.errors import FieldledgerError

KINDS = ("inquiry", "proposal")
ROLES = ("procurement_head", "department_director", "vp", "other")
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC).astimezone()


class LogTouchpointVM:
    """One touchpoint being logged for one customer."""

    def __init__(
        self, store: LocalStore, rep_id: str, customer_id: str, clock: Clock = _now
    ) -> None:
        self.store = store
        self.rep_id = rep_id
        self.customer_id = customer_id
        self.clock = clock
        self.kind = "inquiry"
        self.note = ""
        self.attachment: bytes | None = None
        self.filename = ""
        self.error: Msg | None = None
        self.notice: Msg | None = None

    def set_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown touchpoint kind {kind!r}")
        self.kind = kind

    def set_note(self, text: str) -> None:
        self.note = text

    def attach(self, data: bytes, filename: str) -> bool:
        """Keep a picked file; False (and ``error``) when it is not a document we accept."""
        self.error = None
        mime = mimetypes.guess_type(filename)[0] or ""
        if mime not in ATTACHMENT_MIMES:
            self.error = Msg("tp.bad_file")
            return False
        if not data or len(data) > tpdb.MAX_ATTACHMENT_BYTES:
            self.error = Msg("tp.file_size")
            return False
        self.attachment, self.filename = data, filename
        return True

    def clear_attachment(self) -> None:
        self.attachment, self.filename = None, ""

    def save(self) -> bool:
        """Save on this device (outbox); it is sent at the next sync."""
        self.error = self.notice = None
        if self.kind == "proposal" and self.attachment is None:
            self.error = Msg("tp.need_file")
            return False
        if len(self.note) > 1000:
            self.error = Msg("tp.note_too_long")
            return False
        ref = None
        if self.attachment is not None:
            ref = AttachmentRef(
                sha256=sha256_hex(self.attachment),
                filename=self.filename[-200:],
                mime=mimetypes.guess_type(self.filename)[0] or "application/octet-stream",
                size=len(self.attachment),
            )
        try:
            tp = Touchpoint(
                id=uuid.uuid4().hex,
                customer_id=self.customer_id,
                rep_id=self.rep_id,
                kind=self.kind,
                occurred_at=self.clock(),
                note=self.note.strip(),
                attachment=ref,
            )
            tpdb.save_touchpoint(self.store, tp, self.attachment)
        except (FieldledgerError, ValueError) as exc:
            self.error = error_msg(exc)
            return False
        self.notice = Msg("tp.saved")
        self.note = ""
        self.clear_attachment()
        return True

    def history(self) -> list[tpdb.LoggedTouchpoint]:
        return tpdb.list_touchpoints(self.store, self.customer_id)


class ContactsVM:
    """The customer's contacts: add, change, remove (offline; sent at the next sync)."""

    def __init__(self, store: LocalStore, customer_id: str) -> None:
        self.store = store
        self.customer_id = customer_id
        self.error: Msg | None = None
        self.notice: Msg | None = None
        self.rows: list[tpdb.ContactRow] = []
        self.reload()

    def reload(self) -> None:
        self.rows = tpdb.list_contacts(self.store, self.customer_id)

    def _row(self, contact_id: str) -> tpdb.ContactRow:
        return next(r for r in self.rows if r.contact.id == contact_id)

    def add(self, name: str, role: str, title: str = "", phone: str = "") -> bool:
        self.error = self.notice = None
        if not name.strip():
            self.error = Msg("tp.need_name")
            return False
        try:
            contact = Contact(
                id=uuid.uuid4().hex,
                customer_id=self.customer_id,
                name=name.strip(),
                role=role,
                title=title.strip(),
                phone=phone.strip(),
            )
            tpdb.save_contact(self.store, contact)
        except (FieldledgerError, ValueError) as exc:
            self.error = error_msg(exc)
            return False
        self.reload()
        self.notice = Msg("tp.contact_saved")
        return True

    def change(self, contact_id: str, **fields: str) -> bool:
        self.error = self.notice = None
        try:
            tpdb.edit_contact(self.store, self._row(contact_id), fields)
        except (FieldledgerError, ValueError) as exc:
            self.error = error_msg(exc)
            return False
        self.reload()
        self.notice = Msg("tp.contact_saved")
        return True

    def remove(self, contact_id: str) -> None:
        tpdb.delete_contact(self.store, contact_id)
        self.reload()
        self.notice = Msg("tp.contact_removed")
