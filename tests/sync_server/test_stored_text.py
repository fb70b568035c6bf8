"""Payloads and reports are stored as the text ``jsonfast.dumps`` writes, on both backends.

The push binds them as orjson's UTF-8 bytes (SQLite casts them to text, PostgreSQL reads
binary text arrays); what orjson cannot write goes as text. Either way the column holds text.
"""

from __future__ import annotations

from typing import Any

from shared.jsonfast import dumps, loads
from sync_server.storage.base import StorageBase
from sync_server.sync.push import apply_push
from tests.sync_server.server_support import add_customer, make_org, visit_change


def stored(storage: StorageBase, org_id: str, record_id: str) -> tuple[Any, ...]:
    """The visit's payload and report columns, and the type each value is stored as."""
    sqlite = storage.dialect == "sqlite"  # type: ignore[attr-defined]
    typeof = "typeof({})" if sqlite else "pg_typeof({})::text"
    row = storage._one(  # type: ignore[attr-defined]
        f"SELECT payload, report, {typeof.format('payload')}, {typeof.format('report')}"
        " FROM records WHERE org_id = %s AND record_type = 'visit' AND record_id = %s",
        (org_id, record_id),
    )
    assert row is not None
    return tuple(row)


def test_a_visit_in_chinese_is_stored_as_the_text_dumps_writes(storage: StorageBase) -> None:
    org = make_org(storage)
    cid = add_customer(storage, org)
    change = visit_change(1, org, org.rep1, cid)
    change["payload"]["notes"] = "货架补货完成，店长签字 ✅"
    assert apply_push(storage, org.rep1, [change])[0].status.value == "applied"
    payload, report, payload_type, report_type = stored(storage, org.org_id, change["record_id"])
    assert {payload_type, report_type} == {"text"}
    assert isinstance(payload, str) and isinstance(report, str)
    assert payload == dumps(loads(payload))  # compact, unescaped: as dumps wrote it
    assert loads(payload)["notes"] == "货架补货完成，店长签字 ✅"
    assert "店长" in payload and "\\u" not in payload
    assert loads(report)["results"]


def test_a_value_orjson_cannot_write_is_stored_as_text_too(storage: StorageBase) -> None:
    org = make_org(storage)
    cid = add_customer(storage, org)
    change = visit_change(1, org, org.rep1, cid)
    change["payload"]["result"] = {"stock_count": 2**70, "note": "货架"}
    assert apply_push(storage, org.rep1, [change])[0].status.value == "applied"
    payload, _, payload_type, _ = stored(storage, org.org_id, change["record_id"])
    assert payload_type == "text"
    assert loads(payload)["result"] == {"stock_count": 2**70, "note": "货架"}
