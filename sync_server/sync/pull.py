"""Pull: a page of changes in the caller's scope after a cursor (docs/sync-protocol.md §7)."""

from __future__ import annotations

from typing import Any

import orjson

from shared import jsonfast
from shared.changes import IncomingChange, Op, RecordType
from shared.errors import FieldledgerError
from sync_server.storage.base import PullPage, RawJson, Scope, StorageBase

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


def pull_changes(
    storage: StorageBase, scope: Scope, cursor: int, limit: int, *, decode: bool = True
) -> PullPage:
    page = storage.pull(scope, cursor, limit, decode=decode)
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


def _decoded(value: Any) -> Any:
    return jsonfast.loads(value) if isinstance(value, RawJson) else value


def to_incoming(page: PullPage) -> list[IncomingChange]:
    return [
        IncomingChange(
            server_seq=i.server_seq,
            record_type=RecordType(i.record_type),
            record_id=i.record_id,
            op=Op(i.op),
            payload=_decoded(i.payload),
            version=i.version,
            report=_decoded(i.report),
        )
        for i in page.items
    ]


def _embedded(value: Any) -> Any:
    """Stored JSON text goes into the response as it is (orjson writes it verbatim); text that
    is not valid UTF-8 (a lone surrogate kept by the ``json`` fallback) is decoded instead."""
    if not isinstance(value, RawJson):
        return value
    try:
        return orjson.Fragment(value.encode("utf-8"))
    except UnicodeEncodeError:
        return jsonfast.loads(value)


_RECORD_TYPES = frozenset(t.value for t in RecordType)
_OPS = frozenset(o.value for o in Op)


def _report_text(value: Any) -> Any:
    """``report=text``: the report as its JSON text (a string)."""
    if value is None or isinstance(value, RawJson):
        return value if value is None else str(value)
    return jsonfast.dumps(value)


def incoming_json(page: PullPage, *, report_text: bool = False) -> list[dict[str, Any]]:
    """``[c.model_dump(mode="json") for c in to_incoming(page)]`` without the models (hot path:
    a full pull sends every record), for ``jsonfast.dumps_bytes``: stored payloads and reports
    pulled with ``decode=False`` are embedded undecoded. Unknown record types or ops fail as
    ``to_incoming`` does. ``report_text``: reports go as JSON text, see :func:`_report_text`."""
    report = _report_text if report_text else _embedded
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
                "payload": _embedded(i.payload),
                "version": i.version,
                "report": report(i.report),
            }
        )
    return out
