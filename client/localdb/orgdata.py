"""Server-authoritative organisation data the device pulls: settings, calendar, SOPs, and the
organisation's photo-hash history (for the photo reuse rule)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from client.localdb.schema import calendars_t, photo_hashes_t, settings_t, sops_t
from client.localdb.timefmt import now_text
from shared.errors import InvalidInput
from shared.settings import OrgSettings
from shared.sop import SopTemplate, default_sop_templates

if TYPE_CHECKING:
    from shared.workcal import WorkCalendar


def put_settings(conn: Connection, org_id: str, settings: OrgSettings) -> None:
    text, now = settings.model_dump_json(), now_text()
    stmt = insert(settings_t).values(org_id=org_id, settings_json=text, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_id"], set_={"settings_json": text, "updated_at": now}
        )
    )


def get_settings(conn: Connection, org_id: str) -> OrgSettings:
    q = select(settings_t.c.settings_json).where(settings_t.c.org_id == org_id)
    text = conn.execute(q).scalar_one_or_none()
    return OrgSettings() if text is None else OrgSettings.model_validate_json(text)


def put_calendar_json(conn: Connection, org_id: str, json_text: str) -> None:
    try:
        json.loads(json_text)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The work calendar is not valid JSON: {exc}",
            message_zh=f"工作日历不是有效的 JSON：{exc}",
            field="calendar",
        ) from exc
    now = now_text()
    stmt = insert(calendars_t).values(org_id=org_id, calendar_json=json_text, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_id"], set_={"calendar_json": json_text, "updated_at": now}
        )
    )


def get_calendar_json(conn: Connection, org_id: str) -> str | None:
    q = select(calendars_t.c.calendar_json).where(calendars_t.c.org_id == org_id)
    text = conn.execute(q).scalar_one_or_none()
    return None if text is None else str(text)


def get_calendar(conn: Connection, org_id: str) -> WorkCalendar | None:
    text = get_calendar_json(conn, org_id)
    if text is None:
        return None
    from shared.workcal import WorkCalendar  # built in parallel: import only when used

    return WorkCalendar.model_validate_json(text)


def put_sop(conn: Connection, org_id: str, template: SopTemplate) -> None:
    values = {
        "template_json": template.model_dump_json(),
        "version": template.version,
        "updated_at": now_text(),
    }
    stmt = insert(sops_t).values(org_id=org_id, action_type=template.action_type, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["org_id", "action_type"], set_=values))


def get_sops(conn: Connection, org_id: str) -> dict[str, SopTemplate]:
    q = select(sops_t.c.template_json).where(sops_t.c.org_id == org_id)
    templates = [SopTemplate.model_validate_json(t) for t in conn.execute(q).scalars()]
    if not templates:
        return default_sop_templates()
    return {t.action_type: t for t in sorted(templates, key=lambda t: t.action_type)}


def add_photo_hashes(conn: Connection, rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        return
    values = [{"sha256": s, "phash": p, "visit_id": v} for s, p, v in rows]
    conn.execute(insert(photo_hashes_t).on_conflict_do_nothing(), values)  # executemany


def photo_hash_rows(conn: Connection) -> list[tuple[str, str, str]]:
    q = select(photo_hashes_t.c.sha256, photo_hashes_t.c.phash, photo_hashes_t.c.visit_id)
    return [(r.sha256, r.phash, r.visit_id) for r in conn.execute(q)]
