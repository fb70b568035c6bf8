"""Apply one push: one transaction, one outcome per change, exactly once per (device, seq)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from shared.changes import ChangeOutcome, Op, OutcomeStatus, OutgoingChange, RecordType
from shared.errors import FieldledgerError, InvalidInput
from shared.trusted_models import trusted
from sync_server.storage.base import OutcomeRow, Scope, StorageBase
from sync_server.sync.common import ServerAuthoritative, invalid_from, rejected
from sync_server.sync.context import PushContext
from sync_server.sync.customers import push_customer
from sync_server.sync.visits import push_visit, push_visit_void, read_visits_ahead

Handler = Callable[[PushContext, OutgoingChange], OutcomeRow]
SEND_AHEAD = 100  # changes judged between two sends to a pipelining database
SEND_LAST = 10  # ... and the fewest sent while the push nears its end


def _send_now(pending: int, left: int) -> bool:
    """Send the judged changes now? Every SEND_AHEAD; and, near the end, whenever as many are
    waiting as are left to judge (at least SEND_LAST), so the windows halve: the database
    writes them while the rest are judged, and COMMIT waits for a few rows, not a hundred."""
    return pending >= SEND_AHEAD or (pending >= SEND_LAST and pending >= left)


def _server_only(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    raise ServerAuthoritative(
        f"{change.record_type.value} records are server-authoritative: pull them, never push",
        message_zh="该类数据由服务器管理，只能下载",
        field="record_type",
    )


HANDLERS: dict[RecordType, Handler] = {
    RecordType.VISIT: push_visit,
    RecordType.VISIT_VOID: push_visit_void,
    RecordType.CUSTOMER: push_customer,
    RecordType.SETTINGS: _server_only,
    RecordType.CALENDAR: _server_only,
    RecordType.SOP: _server_only,
    RecordType.PHOTO_HASH: _server_only,
}


def _read_seq(item: Any, index: int) -> int:
    seq = item.get("seq") if isinstance(item, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise InvalidInput(
            f"changes[{index}].seq must be a positive integer",
            message_zh=f"第 {index} 条变更的 seq 必须是正整数",
            field=f"changes[{index}].seq",
        )
    return seq


def parse_changes(raw: Any) -> list[tuple[int, OutgoingChange | FieldledgerError, Any]]:
    """Each item's seq (required: else the whole request fails), and its parse or error."""
    if not isinstance(raw, list):
        raise InvalidInput(
            "changes must be a list", message_zh="changes 必须是列表", field="changes"
        )
    out: list[tuple[int, OutgoingChange | FieldledgerError, Any]] = []
    for i, item in enumerate(raw):
        seq = _read_seq(item, i)
        change = _well_formed(item, seq)
        if change is not None:
            out.append((seq, change, item))
            continue
        try:
            out.append((seq, OutgoingChange.model_validate(item), item))
        except ValidationError as exc:
            out.append((seq, invalid_from(exc, f"changes[{i}]"), item))
    return out


_FIELDS = frozenset(OutgoingChange.model_fields)
_TYPES = {t.value: t for t in RecordType}
_OPS = {o.value: o for o in Op}
_STATUS = {s.value: s.value for s in OutcomeStatus}  # OutcomeStatus(x).value, as a lookup


def _well_formed(item: dict[str, Any], seq: int) -> OutgoingChange | None:
    """What ``OutgoingChange.model_validate`` gives for the common, well-typed change, built
    without pydantic's pass (a push is hundreds of changes); None: validate it (and name what
    is wrong)."""
    if not _FIELDS.issuperset(item):
        return None
    rtype, rid, op = item.get("record_type"), item.get("record_id"), item.get("op")
    payload, base = item.get("payload", {}), item.get("base_version")
    if not (
        type(rid) is str
        and 1 <= len(rid) <= 64
        and type(payload) is dict
        and (base is None or type(base) is int)
        and rtype in _TYPES
        and op in _OPS
    ):
        return None
    return trusted(
        OutgoingChange,
        {"seq": seq, "record_type": _TYPES[rtype], "record_id": rid, "op": _OPS[op],
         "payload": payload, "base_version": base},
    )  # fmt: skip


def _to_outcome(row: OutcomeRow, duplicate: bool = False) -> ChangeOutcome:
    return ChangeOutcome(
        seq=row.seq,
        status=OutcomeStatus.DUPLICATE if duplicate else OutcomeStatus(row.status),
        record_type=row.record_type,
        record_id=row.record_id,
        server_seq=row.server_seq,
        version=row.version,
        code=row.code,
        message=row.message,
        details=row.details,
        first_status=OutcomeStatus(row.status) if duplicate else None,
    )


def outcome_json(row: OutcomeRow, duplicate: bool = False) -> dict[str, Any]:
    """``_to_outcome(row, duplicate).model_dump(mode="json")`` without the model (hot path).

    Outcome rows are built by the handlers (or read back from storage) with JSON values only.
    """
    return {
        "seq": row.seq,
        "status": "duplicate" if duplicate else _STATUS[row.status],
        "record_type": row.record_type,
        "record_id": row.record_id,
        "server_seq": row.server_seq,
        "version": row.version,
        "code": row.code,
        "message": row.message,
        "details": row.details,
        "first_status": _STATUS[row.status] if duplicate else None,
    }


def _prefetch(pc: PushContext, parsed: list[tuple[int, Any, Any]]) -> Callable[[], None]:
    """Ask for the records the push's changes name (and, for visits, the organisation's
    settings and calendar); the returned function keeps the answers."""
    visit_ids, customer_ids, void_ids = [], [], []
    for _, change, _raw in parsed:
        if not isinstance(change, OutgoingChange):
            continue
        if change.record_type is RecordType.VISIT:
            visit_ids.append(change.record_id)
            cid = change.payload.get("customer_id")
            if isinstance(cid, str):
                customer_ids.append(cid)
        elif change.record_type is RecordType.CUSTOMER:
            customer_ids.append(change.record_id)
        elif change.record_type is RecordType.VISIT_VOID:
            void_ids.append(change.record_id)
    asked = [
        pc.prefetch_later("visit", visit_ids),
        pc.prefetch_later("customer", customer_ids),
        pc.prefetch_later("visit_void", void_ids),
    ]
    if visit_ids:
        asked += [pc.prefetch_later(t, [t]) for t in ("settings", "calendar")]

    def keep() -> None:
        for answer in asked:
            answer()

    return keep


def apply_push(storage: StorageBase, scope: Scope, raw_changes: Any) -> list[ChangeOutcome]:
    """Apply a device's changes in order, in ONE transaction; outcomes in request order."""
    return [_to_outcome(row, dup) for row, dup in apply_push_rows(storage, scope, raw_changes)]


def apply_push_rows(
    storage: StorageBase, scope: Scope, raw_changes: Any
) -> list[tuple[OutcomeRow, bool]]:
    """:func:`apply_push` as (outcome row, is a duplicate) pairs, for the HTTP endpoint."""
    parsed = parse_changes(raw_changes)
    outcomes: list[tuple[OutcomeRow, bool]] = []
    with storage.write(scope.org_id, bulk=True) as tx:
        # the lookups go out together, and the visits are read (parsed) while a pipelining
        # database answers them: all of them, before the device's earlier outcomes are known
        # (waiting for those first left Python idle for a round trip; a visit already applied,
        # in a push sent again, is parsed for nothing and never judged)
        seen_later = tx.outcomes_later(scope.device_id, [seq for seq, _, _ in parsed])
        pc = PushContext(tx, scope)
        prefetched = _prefetch(pc, parsed)
        read_visits_ahead(pc, [c for _, c, _ in parsed if isinstance(c, OutgoingChange)])
        seen = seen_later()
        prefetched()
        rows: list[OutcomeRow] = []
        left = len(parsed)
        for seq, change, raw in parsed:
            left -= 1
            if seq in seen:
                outcomes.append((seen[seq], True))
                continue
            if isinstance(change, FieldledgerError):
                rtype = str(raw.get("record_type", ""))[:32]
                rid = str(raw.get("record_id", ""))[:64]
                row = rejected(scope.device_id, seq, rtype, rid, change)
            else:
                try:
                    row = HANDLERS[change.record_type](pc, change)
                except FieldledgerError as err:
                    row = rejected(
                        scope.device_id, seq, change.record_type.value, change.record_id, err
                    )
            rows.append(row)
            seen[seq] = row
            outcomes.append((row, False))
            if _send_now(len(rows), left):
                tx.add_outcomes(rows)
                tx.send_ahead()  # the database writes these while the next ones are judged
                rows = []
        tx.add_outcomes(rows)
    return outcomes
