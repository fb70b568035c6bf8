"""Pull: a page of changes in the caller's scope after a cursor (docs/sync-protocol.md §7)."""

from __future__ import annotations

from typing import Any

from shared.changes import IncomingChange, Op, RecordType
from shared.errors import FieldledgerError
from sync_server.storage.base import PullPage, Scope, StorageBase

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


class ResetRequired(FieldledgerError):
    """The cursor is older than the tombstone horizon: re-download the scope from 0."""

    code = "reset_required"
    http_status = 410


class CursorAhead(FieldledgerError):
    """The cursor is past anything the server holds: it was restored from an older backup."""

    code = "cursor_ahead"
    http_status = 409


def pull_changes(storage: StorageBase, scope: Scope, cursor: int, limit: int) -> PullPage:
    page = storage.pull(scope, cursor, limit)
    if 0 < cursor < page.tombstone_horizon:
        raise ResetRequired(
            "your copy is older than the tombstone horizon: download everything again from"
            " cursor 0 and keep your outbox",
            message_zh="本地数据过旧，请从头重新下载（待上传记录会保留）",
            cursor=cursor,
            tombstone_horizon=page.tombstone_horizon,
        )
    if cursor > page.max_server_seq:
        raise CursorAhead(
            "the cursor is ahead of the server: it was restored from a backup; call hello,"
            " push again what it lost and pull from 0",
            message_zh="服务器已从备份恢复，请重新上传并重新下载",
            cursor=cursor,
            max_server_seq=page.max_server_seq,
        )
    return page


def to_incoming(page: PullPage) -> list[IncomingChange]:
    return [
        IncomingChange(
            server_seq=i.server_seq,
            record_type=RecordType(i.record_type),
            record_id=i.record_id,
            op=Op(i.op),
            payload=i.payload,
            version=i.version,
            report=i.report,
        )
        for i in page.items
    ]


_RECORD_TYPES = frozenset(t.value for t in RecordType)
_OPS = frozenset(o.value for o in Op)


def incoming_json(page: PullPage) -> list[dict[str, Any]]:
    """``[c.model_dump(mode="json") for c in to_incoming(page)]`` without the models (hot path:
    a full pull sends every record). Unknown record types or ops fail as ``to_incoming`` does."""
    out = []
    for i in page.items:
        if i.record_type not in _RECORD_TYPES or i.op not in _OPS or i.server_seq < 1:
            to_incoming(PullPage([i], False, 0, 0, 0))  # raises the validation error
        out.append(
            {
                "server_seq": i.server_seq,
                "record_type": i.record_type,
                "record_id": i.record_id,
                "op": i.op,
                "payload": i.payload,
                "version": i.version,
                "report": i.report,
            }
        )
    return out
