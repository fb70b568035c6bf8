"""Touchpoints (a customer inquiry or a proposal sent) and customer contacts on the device
(docs/targets.md, "Touchpoints and contacts").

No table of their own (no migration): like tickets, what the rep logged is its outbox entry
(kept after acknowledgement), what the server holds is the pulled record in ``pulled_records``.
A proposal's attachment is a content-addressed blob written BEFORE the outbox entry (so a crash
leaves at most an unreferenced blob, which blob GC removes); the entry is then written in one
transaction. Its upload state is the meta key ``attachment.uploaded.<sha256>`` (set when the
server confirmed the bytes, cleared when a restored server may have lost them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, delete, select

from client.localdb import outbox
from client.localdb.blobs import BlobStore, sha256_hex
from client.localdb.engine import read_tx, write_tx
from client.localdb.meta import get_meta, set_meta
from client.localdb.schema import meta_t, outbox_t, pulled_records_t
from client.localdb.timefmt import now_text
from shared.changes import Contact, Op, RecordType, Touchpoint
from shared.errors import Conflict, InvalidInput

UPLOADED_PREFIX = "attachment.uploaded."
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # the server's default MAX_ATTACHMENT_BYTES


class _Store(Protocol):
    engine: Any
    blobs: BlobStore


@dataclass(frozen=True)
class LoggedTouchpoint:
    touchpoint: Touchpoint
    synced: bool  # the server acknowledged it (or it was pulled from the server)
    attachment_uploaded: bool


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    version: int  # the server version the device last saw (0: not on the server yet)
    pending: bool  # a local change waits for the next sync


# -- touchpoints -------------------------------------------------------------------------------


def save_touchpoint(store: _Store, tp: Touchpoint, attachment: bytes | None = None) -> int:
    """Write the attachment blob, then the outbox entry (one transaction); returns its seq."""
    if (tp.attachment is None) != (attachment is None):
        raise InvalidInput(
            "The attachment bytes and the attachment details must come together.",
            message_zh="附件文件与附件信息须同时提供。",
            field="attachment",
        )
    if tp.kind == "proposal" and tp.attachment is None:
        raise InvalidInput(
            "A proposal needs the document that was sent.",
            message_zh="方案发送须附上所发送的方案文件。",
            field="attachment",
        )
    if attachment is not None and tp.attachment is not None:
        if len(attachment) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                "The attachment is larger than 20 MB.",
                message_zh="附件超过 20 MB。",
                field="attachment",
            )
        if sha256_hex(attachment) != tp.attachment.sha256 or len(attachment) != tp.attachment.size:
            raise InvalidInput(
                "The attachment bytes do not match their details.",
                message_zh="附件文件与附件信息不一致。",
                field="attachment.sha256",
            )
        store.blobs.put(attachment)
    with write_tx(store.engine, "touchpoint") as conn:
        if _logged_here(conn, RecordType.TOUCHPOINT, tp.id):
            raise Conflict(
                f"A touchpoint with id {tp.id} is already saved.",
                message_zh=f"编号为 {tp.id} 的触点已保存。",
                field="id",
            )
        return outbox.append(
            conn, RecordType.TOUCHPOINT, tp.id, Op.CREATE, tp.model_dump(mode="json")
        )


def _logged_here(conn: Connection, rtype: RecordType, record_id: str) -> bool:
    q = select(outbox_t.c.seq).where(
        outbox_t.c.record_type == rtype.value,
        outbox_t.c.record_id == record_id,
        outbox_t.c.op == Op.CREATE.value,
    )
    return conn.execute(q).first() is not None


def _outbox_rows(conn: Connection, rtype: RecordType) -> list[Any]:
    q = select(outbox_t).where(outbox_t.c.record_type == rtype.value).order_by(outbox_t.c.seq)
    return list(conn.execute(q))


def _pulled_rows(conn: Connection, rtype: RecordType) -> list[Any]:
    q = select(pulled_records_t).where(pulled_records_t.c.record_type == rtype.value)
    return list(conn.execute(q))


def list_touchpoints(store: _Store, customer_id: str | None = None) -> list[LoggedTouchpoint]:
    """Touchpoints logged here and pulled (a manager's team), newest first."""
    found: dict[str, LoggedTouchpoint] = {}
    with read_tx(store.engine, "read") as conn:
        uploaded = _uploaded(conn)
        for row in _pulled_rows(conn, RecordType.TOUCHPOINT):
            tp = _touchpoint(json.loads(row.payload_json))
            if tp is not None:
                found[tp.id] = LoggedTouchpoint(tp, True, _att_ok(tp, uploaded))
        for row in _outbox_rows(conn, RecordType.TOUCHPOINT):
            tp = _touchpoint(json.loads(row.payload_json))
            if tp is not None:
                synced = row.acked_at is not None or tp.id in found
                found[tp.id] = LoggedTouchpoint(tp, synced, _att_ok(tp, uploaded))
    out = [
        t for t in found.values() if customer_id is None or t.touchpoint.customer_id == customer_id
    ]
    return sorted(out, key=lambda t: (t.touchpoint.occurred_at, t.touchpoint.id), reverse=True)


def _touchpoint(data: Any) -> Touchpoint | None:
    try:
        return Touchpoint.model_validate(data)
    except ValueError:
        return None  # shaped by a newer server: not shown, never a crash


def _att_ok(tp: Touchpoint, uploaded: set[str]) -> bool:
    return tp.attachment is None or tp.attachment.sha256 in uploaded


def _uploaded(conn: Connection) -> set[str]:
    q = select(meta_t.c.key).where(meta_t.c.key.like(UPLOADED_PREFIX + "%"))
    return {k[len(UPLOADED_PREFIX) :] for k in conn.execute(q).scalars()}


# -- the attachment upload queue (client/sync/attachments.py) --------------------------------


def pending_attachments(store: _Store) -> list[tuple[str, int]]:
    """(sha256, size) of attachments logged here whose bytes the server has not confirmed."""
    with read_tx(store.engine, "read") as conn:
        uploaded = _uploaded(conn)
        out: dict[str, int] = {}
        for row in _outbox_rows(conn, RecordType.TOUCHPOINT):
            att = json.loads(row.payload_json).get("attachment")
            if isinstance(att, dict) and att.get("sha256") not in uploaded:
                out.setdefault(str(att["sha256"]), int(att.get("size") or 0))
    return list(out.items())


def mark_attachment_uploaded(store: _Store, sha256: str) -> None:
    with write_tx(store.engine, "attachment") as conn:
        set_meta(conn, UPLOADED_PREFIX + sha256, now_text())


def attachment_uploaded(store: _Store, sha256: str) -> bool:
    with read_tx(store.engine, "read") as conn:
        return get_meta(conn, UPLOADED_PREFIX + sha256) is not None


def requeue_uploads(conn: Connection) -> int:
    """The server was restored: ask it again about every attachment."""
    result = conn.execute(delete(meta_t).where(meta_t.c.key.like(UPLOADED_PREFIX + "%")))
    return int(result.rowcount)


def referenced_blobs(conn: Connection) -> set[str]:
    """Attachment blobs the device must keep (blob GC)."""
    out: set[str] = set()
    for row in _outbox_rows(conn, RecordType.TOUCHPOINT):
        att = json.loads(row.payload_json).get("attachment")
        if isinstance(att, dict) and isinstance(att.get("sha256"), str):
            out.add(att["sha256"])
    return out


# -- contacts ----------------------------------------------------------------------------------


def save_contact(store: _Store, contact: Contact) -> int:
    with write_tx(store.engine, "contact") as conn:
        if _logged_here(conn, RecordType.CONTACT, contact.id):
            raise Conflict(
                f"A contact with id {contact.id} is already saved.",
                message_zh=f"编号为 {contact.id} 的联系人已保存。",
                field="id",
            )
        return outbox.append(
            conn, RecordType.CONTACT, contact.id, Op.CREATE, contact.model_dump(mode="json")
        )


def edit_contact(store: _Store, row: ContactRow, fields: dict[str, Any]) -> int | None:
    """Queue the changed fields with their values as last seen; None when nothing changed."""
    old = row.contact.model_dump(mode="json")
    Contact.model_validate({**old, **fields})  # refuse a bad value here, naming the field
    changed = {k: v for k, v in fields.items() if old.get(k) != v}
    if not changed:
        return None
    payload = {"fields": changed, "base": {k: old.get(k) for k in changed}}
    with write_tx(store.engine, "contact") as conn:
        return outbox.append(
            conn,
            RecordType.CONTACT,
            row.contact.id,
            Op.UPDATE,
            payload,
            base_version=row.version or None,
        )


def delete_contact(store: _Store, contact_id: str) -> int:
    with write_tx(store.engine, "contact") as conn:
        return outbox.append(conn, RecordType.CONTACT, contact_id, Op.DELETE, {})


def list_contacts(store: _Store, customer_id: str) -> list[ContactRow]:
    """The customer's contacts: the server's, with this device's unsent changes applied."""
    rows: dict[str, ContactRow] = {}
    with read_tx(store.engine, "read") as conn:
        for r in _pulled_rows(conn, RecordType.CONTACT):
            try:
                c = Contact.model_validate(json.loads(r.payload_json))
            except ValueError:
                continue
            rows[c.id] = ContactRow(c, int(r.version), False)
        for r in _outbox_rows(conn, RecordType.CONTACT):
            if r.acked_at is not None:
                continue
            payload = json.loads(r.payload_json)
            known = rows.get(r.record_id)
            if r.op == Op.CREATE.value:
                try:
                    rows[r.record_id] = ContactRow(Contact.model_validate(payload), 0, True)
                except ValueError:
                    continue
            elif r.op == Op.UPDATE.value and known is not None:
                merged = {**known.contact.model_dump(mode="json"), **payload.get("fields", {})}
                try:
                    rows[r.record_id] = ContactRow(
                        Contact.model_validate(merged), known.version, True
                    )
                except ValueError:
                    continue
            elif r.op == Op.DELETE.value:
                rows.pop(r.record_id, None)
    out = [r for r in rows.values() if r.contact.customer_id == customer_id]
    return sorted(out, key=lambda r: (r.contact.role, r.contact.name))
