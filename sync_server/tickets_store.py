"""Tickets on the server: their records, the organisation's ticket configuration, pending
deliveries, policy documents and the similar-issue index (docs/sync-protocol.md section 11).

Tickets and their configuration are records of the compacted log, so they sync like everything
else: a ticket is an ``owned`` record (reporter, reporter's team, admins); the root-cause tree,
answer scripts and ticket settings are ``org`` records every device pulls; the routing table is
an ``owned`` record without owner or team, so only admins pull it. Tables of migration
0003_tickets.sql hold what does not sync: policy document blobs and pending deliveries.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import InvalidInput, NotFound
from shared.tickets import (
    AnswerScript,
    KnowledgeBase,
    RootCauseTree,
    RoutingTable,
    SimilarIndex,
    SimilarMatch,
    Ticket,
    TicketSettings,
    default_root_cause_tree,
)
from sync_server.storage.base import Scope, StorageBase, StoredRecord, WriteTx

TREE_ID = "root_causes"
SETTINGS_ID = "ticket_settings"
ROUTING_ID = "routing"
PHOTO_LINK = "ticket:"  # visit_photos.visit_id of a ticket's photo or video (keeps it from gc)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _tx_run(tx: WriteTx, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Raw SQL inside a push/write transaction of the SQL backends."""
    cur = tx._cur  # type: ignore[attr-defined]
    cur.execute(tx._s._q(sql), params)  # type: ignore[attr-defined]
    try:
        return list(cur.fetchall())
    except Exception:  # statements without a result set (psycopg raises)
        return []


def _all(storage: StorageBase, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return storage._all(sql, params)  # type: ignore[attr-defined,no-any-return]


def _exec(storage: StorageBase, sql: str, params: tuple[Any, ...] = ()) -> int:
    return storage._exec(sql, params)  # type: ignore[attr-defined,no-any-return]


# --- configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketConfig:
    tree: RootCauseTree
    kb: KnowledgeBase
    table: RoutingTable
    settings: TicketSettings


def _live(rec: StoredRecord | None) -> dict[str, Any] | None:
    return rec.payload if rec is not None and not rec.deleted else None


def config_from_records(
    tree: dict[str, Any] | None,
    scripts: list[dict[str, Any]],
    routing: dict[str, Any] | None,
    settings: dict[str, Any] | None,
) -> TicketConfig:
    return TicketConfig(
        tree=RootCauseTree.from_data(tree["nodes"]) if tree else default_root_cause_tree(),
        kb=KnowledgeBase(scripts=tuple(AnswerScript.model_validate(s) for s in scripts)),
        table=RoutingTable.model_validate(routing) if routing else RoutingTable(),
        settings=TicketSettings.model_validate(settings) if settings else TicketSettings(),
    )


def config_tx(tx: WriteTx) -> TicketConfig:
    """The organisation's ticket configuration as this transaction sees it (defaults when an
    organisation has none yet: the seed tree, no scripts, no rules, default settings)."""
    return config_from_records(
        _live(tx.get_records("root_cause_tree", [TREE_ID]).get(TREE_ID)),
        [r.payload for r in tx.all_records("answer_script")],
        _live(tx.get_records("ticket_routing", [ROUTING_ID]).get(ROUTING_ID)),
        _live(tx.get_records("ticket_settings", [SETTINGS_ID]).get(SETTINGS_ID)),
    )


def load_config(storage: StorageBase, org_id: str) -> TicketConfig:
    scripts = _all(
        storage,
        "SELECT payload FROM records WHERE org_id = %s AND record_type = 'answer_script'"
        " AND deleted = 0 ORDER BY record_id",
        (org_id,),
    )
    return config_from_records(
        _live(storage.get_record(org_id, "root_cause_tree", TREE_ID)),
        [json.loads(r[0]) for r in scripts],
        _live(storage.get_record(org_id, "ticket_routing", ROUTING_ID)),
        _live(storage.get_record(org_id, "ticket_settings", SETTINGS_ID)),
    )


def put_config_record(
    tx: WriteTx, record_type: str, record_id: str, payload: dict[str, Any], *, org_wide: bool
) -> StoredRecord:
    """A new version of a configuration record (``org_wide`` False: admins only)."""
    current = tx.get_records(record_type, [record_id]).get(record_id)
    rec = StoredRecord(
        org_id=tx.org_id,
        record_type=record_type,
        record_id=record_id,
        version=(current.version + 1) if current else 1,
        server_seq=tx.next_seq(),
        payload=payload,
        scope_kind="org" if org_wide else "owned",
        updated_at=time.time(),
    )
    tx.put_records([rec])
    return rec


def document_exists(storage: StorageBase, org_id: str, sha256: str) -> bool:
    rows = _all(
        storage,
        "SELECT 1 FROM ticket_documents WHERE org_id = %s AND sha256 = %s",
        (org_id, sha256),
    )
    return bool(rows)


def put_document(
    storage: StorageBase, org_id: str, data: bytes, sha256: str, mime: str, by: str
) -> bool:
    """Store a policy document blob; False when it was already there. Checks size and hash."""
    if not data or len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"a policy document has 1 to {MAX_DOCUMENT_BYTES} bytes",
            message_zh="政策文件为空或过大",
            field="body",
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidInput(
            "the body does not hash to the SHA-256 in the URL",
            message_zh="文件内容与 SHA-256 不符",
            field="sha256",
        )
    if document_exists(storage, org_id, sha256):
        return False
    _exec(
        storage,
        "INSERT INTO ticket_documents (org_id, sha256, mime, size, data, created_by, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (org_id, sha256, mime[:100], len(data), data, by, time.time()),
    )
    return True


def get_document(storage: StorageBase, org_id: str, sha256: str) -> tuple[bytes, str]:
    rows = _all(
        storage,
        "SELECT data, mime FROM ticket_documents WHERE org_id = %s AND sha256 = %s",
        (org_id, sha256),
    )
    if not rows:
        raise NotFound("no such policy document", message_zh="政策文件不存在", field="sha256")
    return bytes(rows[0][0]), str(rows[0][1])


# --- ticket records ------------------------------------------------------------------------


def ticket_of(rec: StoredRecord) -> Ticket:
    return Ticket.model_validate(rec.payload)


def visible(scope: Scope, rec: StoredRecord, ticket: Ticket) -> bool:
    """Reporter, the reporter's team manager, admins, and the owner it was routed to."""
    if rec.org_id != scope.org_id or rec.deleted:
        return False
    if scope.role == "admin" or ticket.reporter_id == scope.user_id:
        return True
    if ticket.owner_id and ticket.owner_id == scope.user_id:
        return True
    return scope.role == "manager" and bool(scope.team_id) and rec.team_id == scope.team_id


def save_ticket(
    tx: WriteTx, ticket: Ticket, old: StoredRecord | None, *, team_id: str = "", **report: Any
) -> StoredRecord:
    """Write a new version of a ticket record; keep pending delivery in step."""
    merged = dict(old.report or {}) if old else {}
    merged.update(report)
    rec = StoredRecord(
        org_id=tx.org_id,
        record_type="ticket",
        record_id=ticket.id,
        version=(old.version + 1) if old else 1,
        server_seq=tx.next_seq(),
        payload=ticket.model_dump(mode="json"),
        scope_kind="owned",
        owner_user_id=ticket.reporter_id,
        team_id=old.team_id if old else team_id,
        report=merged or None,
        updated_at=time.time(),
    )
    tx.put_records([rec])
    if ticket.answers and ticket.delivered_at is None:
        _tx_run(
            tx,
            "INSERT INTO ticket_deliveries (org_id, ticket_id, reporter_id, created_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (tx.org_id, ticket.id, ticket.reporter_id, rec.updated_at),
        )
    elif ticket.delivered_at is not None and old is not None:
        _tx_run(
            tx,
            "DELETE FROM ticket_deliveries WHERE org_id = %s AND ticket_id = %s",
            (tx.org_id, ticket.id),
        )
    return rec


def get_ticket_record(tx: WriteTx, ticket_id: str) -> StoredRecord:
    rec = tx.get_records("ticket", [ticket_id]).get(ticket_id)
    if rec is None or rec.deleted:
        raise NotFound("no such ticket", message_zh="工单不存在", field="ticket_id")
    return rec


def org_tickets(storage: StorageBase, org_id: str) -> list[tuple[StoredRecord, Ticket]]:
    from sync_server.storage.sql_rows import REC_COLS, record_from_row

    rows = _all(
        storage,
        f"SELECT {REC_COLS} FROM records WHERE org_id = %s AND record_type = 'ticket'"
        " AND deleted = 0 ORDER BY server_seq",
        (org_id,),
    )
    out = []
    for row in rows:
        rec = record_from_row(row)
        out.append((rec, ticket_of(rec)))
    return out


def visible_tickets(storage: StorageBase, scope: Scope) -> list[tuple[StoredRecord, Ticket]]:
    return [(r, t) for r, t in org_tickets(storage, scope.org_id) if visible(scope, r, t)]


def pending_deliveries(storage: StorageBase, org_id: str, reporter_id: str) -> list[str]:
    rows = _all(
        storage,
        "SELECT ticket_id FROM ticket_deliveries WHERE org_id = %s AND reporter_id = %s",
        (org_id, reporter_id),
    )
    return [str(r[0]) for r in rows]


def tickets_with_photo(storage: StorageBase, sha256: str) -> list[tuple[str, str]]:
    """(org_id, ticket_id) of every ticket whose evidence includes the photo."""
    rows = _all(
        storage,
        "SELECT org_id, visit_id FROM visit_photos WHERE sha256 = %s AND visit_id LIKE %s",
        (sha256, PHOTO_LINK + "%"),
    )
    return [(str(r[0]), str(r[1])[len(PHOTO_LINK) :]) for r in rows]


def ticket_video_refs(storage: StorageBase, org_id: str, sha256: str) -> list[Ticket]:
    """The organisation's tickets whose ``evidence.video`` is this blob."""
    out = []
    for org, ticket_id in tickets_with_photo(storage, sha256):
        rec = storage.get_record(org, "ticket", ticket_id) if org == org_id else None
        if rec is None or rec.deleted:
            continue
        video = ticket_of(rec).evidence.video
        if video is not None and video.sha256 == sha256:
            out.append(ticket_of(rec))
    return out


# --- similar-issue index -------------------------------------------------------------------


@dataclass
class _IndexState:
    index: SimilarIndex
    key: str
    last_seq: int = 0


_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, _IndexState]] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def similar_index(tx: WriteTx, config: TicketConfig, now: datetime) -> SimilarIndex:
    """The organisation's similar-issue index, brought up to date inside ``tx``.

    Kept per storage and organisation, and caught up by ``server_seq`` (every ticket write is a
    new position), so several server processes stay correct. Only used inside write
    transactions, which hold the organisation's lock. First build: tickets touched within the
    window (a ticket is written at or after its report), later ones incrementally.
    """
    storage = tx._s  # type: ignore[attr-defined]
    key = hashlib.sha256(
        json.dumps([config.tree.to_data(), config.settings.similar_window_days]).encode()
    ).hexdigest()
    with _INDEX_LOCK:
        per_org = _INDEXES.setdefault(storage, {})
        state = per_org.get(tx.org_id)
        if state is None or state.key != key:
            window = config.settings.similar_window_days
            state = _IndexState(SimilarIndex(config.tree, window_days=window), key)
            per_org[tx.org_id] = state
    since = (now - timedelta(days=config.settings.similar_window_days + 1)).timestamp()
    rows = _tx_run(
        tx,
        "SELECT payload, server_seq FROM records WHERE org_id = %s AND record_type = 'ticket'"
        " AND deleted = 0 AND server_seq > %s AND updated_at >= %s ORDER BY server_seq",
        (tx.org_id, state.last_seq, since if state.last_seq == 0 else 0.0),
    )
    for payload, seq in rows:
        try:
            state.index.add(Ticket.model_validate(json.loads(payload)))
        except ValueError:
            continue
        state.last_seq = max(state.last_seq, int(seq))
    if not rows and state.last_seq == 0:
        state.last_seq = int(getattr(tx, "_start_seq", 0))
    return state.index


def similar_out(tx: WriteTx, matches: list[SimilarMatch]) -> list[dict[str, Any]]:
    """What the reporter sees of each similar ticket: no reporter, no customer."""
    found = tx.get_records("ticket", [m.ticket_id for m in matches])
    out = []
    for m in matches:
        rec = found.get(m.ticket_id)
        if rec is None or rec.deleted:
            continue
        t = ticket_of(rec)
        first = t.first_answer
        out.append(
            {
                "ticket_id": t.id,
                "title": t.text.strip().splitlines()[0][:80] if t.text.strip() else "",
                "problem_type": t.problem_type.value,
                "root_cause_id": t.root_cause_id,
                "state": t.state.value,
                "score": m.score,
                "cause": m.cause.name.lower(),
                "text_score": m.text,
                "age_days": m.age_days,
                "answer": (first.text_zh or first.text) if first else None,
            }
        )
    return out


def now_utc() -> datetime:
    return datetime.now(UTC)
