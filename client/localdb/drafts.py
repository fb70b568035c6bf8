"""Drafts: the visit form as the rep fills it in, saved at every step (survives app kills).

A draft is keyed by the id of the visit it will become; saving that visit deletes the draft in
the same transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from client.localdb.schema import drafts_t
from client.localdb.timefmt import now_text, parse_time
from shared.errors import InvalidInput


def _encode(draft_id: str, data: dict[str, Any]) -> str:
    if not isinstance(draft_id, str) or not draft_id or len(draft_id) > 64:
        raise InvalidInput(
            "A draft needs an id of 1 to 64 characters.",
            message_zh="草稿编号须为 1 到 64 个字符。",
            field="draft_id",
        )
    if not isinstance(data, dict):
        raise InvalidInput(
            "Draft data must be a mapping.", message_zh="草稿内容须为字典。", field="data"
        )
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"Draft data cannot be stored as JSON: {exc}",
            message_zh=f"草稿内容无法保存为 JSON：{exc}",
            field="data",
        ) from exc


def save_draft(conn: Connection, draft_id: str, data: dict[str, Any]) -> None:
    text = _encode(draft_id, data)
    now = now_text()
    stmt = insert(drafts_t).values(draft_id=draft_id, data_json=text, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["draft_id"], set_={"data_json": text, "updated_at": now}
        )
    )


def load_draft(conn: Connection, draft_id: str) -> dict[str, Any] | None:
    q = select(drafts_t.c.data_json).where(drafts_t.c.draft_id == draft_id)
    text = conn.execute(q).scalar_one_or_none()
    return None if text is None else dict(json.loads(text))


def list_drafts(conn: Connection) -> list[tuple[str, datetime, dict[str, Any]]]:
    q = select(drafts_t).order_by(drafts_t.c.updated_at.desc(), drafts_t.c.draft_id)
    rows = conn.execute(q)
    return [(r.draft_id, parse_time(r.updated_at), json.loads(r.data_json)) for r in rows]


def delete_draft(conn: Connection, draft_id: str) -> None:
    conn.execute(drafts_t.delete().where(drafts_t.c.draft_id == draft_id))
