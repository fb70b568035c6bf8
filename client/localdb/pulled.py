"""Applying what the device pulls from the server, and wiping server-derived data.

:func:`apply_changes` runs inside the caller's write transaction; the sync engine stores the
page's cursor in that same transaction, so a crash leaves either the whole page and its cursor
or neither (docs/sync-client.md).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, delete, exists, select, update
from sqlalchemy.dialects.sqlite import insert

from client.localdb import customer_edits, orgdata
from client.localdb.ids import stored_ids
from client.localdb.meta import set_meta
from client.localdb.schema import (
    calendars_t,
    conflicts_t,
    customers_t,
    drafts_t,
    meta_t,
    orders_t,
    outbox_t,
    photo_hashes_t,
    pulled_records_t,
    settings_t,
    sops_t,
    ticket_photos_t,
    visit_photos_t,
    visits_t,
    voids_t,
)
from client.localdb.timefmt import now_text, time_text
from shared import jsonfast
from shared.changes import IncomingChange, Op, RecordType
from shared.settings import OrgSettings
from shared.sop import SopTemplate
from shared.validation.report import ValidationReport, expand_report
from shared.visits import Visit

_REPORT_EXTRA_KEYS = ("counts", "device_report")
_ORG_TYPES = (RecordType.SETTINGS, RecordType.CALENDAR, RecordType.SOP)


def _has_outbox(record_type: RecordType, id_column: Any) -> Any:
    return exists().where(
        outbox_t.c.record_type == record_type.value, outbox_t.c.record_id == id_column
    )


def server_report(raw: dict[str, Any] | None, visit_id: str) -> ValidationReport | None:
    if not raw:
        return None
    data = expand_report({k: v for k, v in raw.items() if k not in _REPORT_EXTRA_KEYS})
    data.setdefault("visit_id", visit_id)
    try:
        return ValidationReport.model_validate(data)
    except ValidationError:
        return None


_COUNTS_PREFIXES = (('{"counts":true,', True), ('{"counts":false,', False))


def _report_text(raw: dict[str, Any] | str | None, visit_id: str) -> tuple[str, bool] | None:
    """The server's report as stored JSON and its verdict, without a pydantic round trip.

    A report pulled as text (``report=text``) that starts with its verdict (the server writes
    ``counts`` first) is stored as it is, minus that key: no parse at all (its results stay in
    the server's compact form, expanded when a visit is read: ``visits.read_report``).
    Anything else is decoded and its shape checked cheaply here (the hot path of a full pull);
    the stored text is parsed into a ``ValidationReport`` when a visit is read. A report of the
    wrong shape is dropped.
    """
    if isinstance(raw, str):
        for prefix, counts in _COUNTS_PREFIXES:
            if (
                raw.startswith(prefix)
                and raw.endswith("}")
                and '"results":[' in raw
                and '"device_report":' not in raw
            ):
                return "{" + raw[len(prefix) :], counts
        try:
            raw = jsonfast.loads(raw)
        except ValueError:
            return None
        if not isinstance(raw, dict):
            return None
    if not raw or not isinstance(raw.get("results"), list):
        return None
    data = {k: v for k, v in raw.items() if k not in _REPORT_EXTRA_KEYS}
    data.setdefault("visit_id", visit_id)
    counts = raw.get("counts")
    if not isinstance(counts, bool):
        report = server_report(raw, visit_id)
        if report is None:
            return None
        return report.model_dump_json(), report.counts
    return jsonfast.dumps(data), counts


# visit_json is bound as orjson's UTF-8 bytes and cast to text: SQLite stores the text
# ``jsonfast.dumps`` would give, without decoding the bytes to str and encoding them back
_INSERT_VISIT = (
    "INSERT INTO visits (id, org_id, customer_id, rep_id, captured_at, saved_at, counts,"
    " visit_json, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?)"
)


_validate_visit = Visit.__pydantic_validator__.validate_python  # Visit.model_validate


def _put_visits(conn: Connection, changes: list[IncomingChange]) -> None:
    present = stored_ids(conn, "visits", [c.record_id for c in changes])
    now = now_text()
    new_rows = []
    for ch in changes:
        judged = _report_text(ch.report, ch.record_id)
        report_text = judged[0] if judged else None
        if ch.record_id in present:
            conn.execute(
                update(visits_t)
                .where(visits_t.c.id == ch.record_id)
                .values(server_report_json=report_text)
            )
            continue
        visit = _validate_visit(ch.payload)  # the guard: nothing malformed is stored
        if judged is None:
            local_text = ValidationReport(visit_id=visit.id, results=()).model_dump_json()
            counts = True
        else:
            local_text, counts = judged
        # a visit first seen in a pull: report_json IS the server's report (not stored twice);
        # server_report_json (left NULL) holds the server's verdict on visits captured here
        new_rows.append(
            (
                visit.id,
                visit.org_id,
                visit.customer_id,
                visit.rep_id,
                time_text(visit.device_time, field="device_time"),
                now,
                int(counts),
                jsonfast.dumps_utf8(ch.payload),
                local_text,
            )
        )
        present.add(visit.id)
    if new_rows:
        # the driver's executemany on plain tuples: thousands of rows a page (a full pull)
        conn.exec_driver_sql(_INSERT_VISIT, new_rows)


def _drop_pulled_visit(conn: Connection, visit_id: str) -> None:
    """A visit that left the scope: removed unless it was captured here (evidence stays)."""
    own = conn.execute(
        select(outbox_t.c.seq).where(
            outbox_t.c.record_type == RecordType.VISIT.value, outbox_t.c.record_id == visit_id
        )
    ).first()
    if own is not None:
        return
    conn.execute(delete(voids_t).where(voids_t.c.visit_id == visit_id))
    conn.execute(delete(visit_photos_t).where(visit_photos_t.c.visit_id == visit_id))
    conn.execute(delete(visits_t).where(visits_t.c.id == visit_id))


def _put_void(conn: Connection, ch: IncomingChange) -> None:
    visit_id = ch.payload.get("visit_id")
    reason = ch.payload.get("reason")
    if not isinstance(visit_id, str) or not isinstance(reason, str):
        return
    has_visit = conn.execute(select(visits_t.c.id).where(visits_t.c.id == visit_id)).first()
    voided = conn.execute(select(voids_t.c.id).where(voids_t.c.visit_id == visit_id)).first()
    if has_visit is None or voided is not None:
        return  # already voided here (perhaps by another void of the same visit)
    now = now_text()
    conn.execute(
        insert(voids_t)
        .values(id=ch.record_id, visit_id=visit_id, reason=reason, voided_at=now, saved_at=now)
        .on_conflict_do_nothing()
    )


def _drop_void(conn: Connection, void_id: str) -> None:
    conn.execute(
        delete(voids_t).where(
            voids_t.c.id == void_id, ~_has_outbox(RecordType.VISIT_VOID, voids_t.c.id)
        )
    )


def _photo_hash(conn: Connection, ch: IncomingChange) -> None:
    if ch.op is Op.DELETE:
        sha, _, visit_id = ch.record_id.partition(":")
        conn.execute(
            delete(photo_hashes_t).where(
                photo_hashes_t.c.sha256 == sha, photo_hashes_t.c.visit_id == visit_id
            )
        )
        return
    p = ch.payload
    ref = p.get("visit_ref") or p.get("visit_id")  # the server may hide other reps' visit ids
    if not (isinstance(p.get("sha256"), str) and isinstance(p.get("phash"), str) and ref):
        return
    orgdata.add_photo_hashes(conn, [(p["sha256"], p["phash"], str(ref))])


def _org_record(conn: Connection, org_id: str, ch: IncomingChange) -> None:
    rtype = ch.record_type
    if ch.op is Op.DELETE:
        if rtype is RecordType.SETTINGS:
            conn.execute(delete(settings_t).where(settings_t.c.org_id == org_id))
        elif rtype is RecordType.CALENDAR:
            conn.execute(delete(calendars_t).where(calendars_t.c.org_id == org_id))
        else:
            conn.execute(
                delete(sops_t).where(
                    sops_t.c.org_id == org_id, sops_t.c.action_type == ch.record_id
                )
            )
        return
    if rtype is RecordType.SETTINGS:
        orgdata.put_settings(conn, org_id, OrgSettings.model_validate(ch.payload))
    elif rtype is RecordType.CALENDAR:
        orgdata.put_calendar_json(conn, org_id, json.dumps(ch.payload, ensure_ascii=False))
    else:
        orgdata.put_sop(conn, org_id, SopTemplate.model_validate(ch.payload))


def apply_changes(conn: Connection, org_id: str, changes: list[IncomingChange]) -> int:
    """Apply one pulled page in order, inside the caller's transaction; returns how many."""
    visits_batch: list[IncomingChange] = []
    customers_batch: list[tuple[dict[str, Any], int]] = []

    def flush() -> None:
        if visits_batch:
            _put_visits(conn, visits_batch)
            visits_batch.clear()
        if customers_batch:
            customer_edits.put_server_customers(conn, customers_batch)
            customers_batch.clear()

    for ch in changes:
        rtype, op = ch.record_type, ch.op
        if rtype is RecordType.VISIT and op is not Op.DELETE:
            visits_batch.append(ch)
            continue
        if rtype is RecordType.CUSTOMER and op is not Op.DELETE:
            customers_batch.append((ch.payload, ch.version))
            continue
        flush()  # keep page order for everything that depends on earlier rows
        if rtype is RecordType.VISIT:
            _drop_pulled_visit(conn, ch.record_id)
        elif rtype is RecordType.CUSTOMER:
            customer_edits.delete_customer(conn, ch.record_id)
        elif rtype is RecordType.VISIT_VOID:
            if op is Op.DELETE:
                _drop_void(conn, ch.record_id)
            else:
                _put_void(conn, ch)
        elif rtype is RecordType.PHOTO_HASH:
            _photo_hash(conn, ch)
        elif rtype in _ORG_TYPES:
            _org_record(conn, org_id, ch)
        else:
            put_generic(conn, ch.record_type.value, ch)
    flush()
    return len(changes)


def put_generic(conn: Connection, record_type: str, ch: IncomingChange) -> None:
    """Records with no table of their own are kept as the server sent them."""
    key = (pulled_records_t.c.record_type == record_type) & (
        pulled_records_t.c.record_id == ch.record_id
    )
    if ch.op is Op.DELETE:
        conn.execute(delete(pulled_records_t).where(key))
        return
    values = {
        "version": ch.version,
        "server_seq": ch.server_seq,
        "payload_json": json.dumps(ch.payload, ensure_ascii=False),
        "report_json": _generic_report(ch.report),
    }
    stmt = insert(pulled_records_t).values(record_type=record_type, record_id=ch.record_id,
                                           **values)  # fmt: skip
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["record_type", "record_id"], set_=values)
    )


def _generic_report(report: dict[str, Any] | str | None) -> str | None:
    """A record's report as JSON text (pulled with ``report=text`` it already is)."""
    if not report:
        return None
    return report if isinstance(report, str) else json.dumps(report, ensure_ascii=False)


def wipe_pulled(conn: Connection, org_id: str) -> None:
    """Forget everything the server gave (before a download from cursor 0). Kept: the outbox,
    visits and voids captured here with their photos, drafts, orders and conflicts; customers
    created here and not yet accepted are shown again from the outbox."""
    conn.execute(delete(settings_t).where(settings_t.c.org_id == org_id))
    conn.execute(delete(calendars_t).where(calendars_t.c.org_id == org_id))
    conn.execute(delete(sops_t).where(sops_t.c.org_id == org_id))
    conn.execute(delete(customers_t))
    conn.execute(delete(pulled_records_t))
    conn.execute(delete(voids_t).where(~_has_outbox(RecordType.VISIT_VOID, voids_t.c.id)))
    pulled_visits = ~_has_outbox(RecordType.VISIT, visits_t.c.id)
    pulled_ids = select(visits_t.c.id).where(pulled_visits)
    conn.execute(delete(voids_t).where(voids_t.c.visit_id.in_(pulled_ids)))
    conn.execute(delete(visit_photos_t).where(visit_photos_t.c.visit_id.in_(pulled_ids)))
    conn.execute(delete(visits_t).where(pulled_visits))
    conn.execute(delete(photo_hashes_t))
    own = conn.execute(
        select(visit_photos_t.c.sha256, visit_photos_t.c.visit_id, visit_photos_t.c.phash)
    ).all()
    if own:
        conn.execute(
            insert(photo_hashes_t).on_conflict_do_nothing(),
            [{"sha256": s, "visit_id": v, "phash": p} for s, v, p in own],
        )
    customer_edits.reapply_pending_creates(conn)


def wipe_everything(conn: Connection, new_device_id: str) -> None:
    """A revoked device: every row of the organisation's data goes, the outbox included, and the
    device starts over under a new id (it must be enrolled again)."""
    for table in (
        voids_t,
        visit_photos_t,
        visits_t,
        photo_hashes_t,
        customers_t,
        settings_t,
        calendars_t,
        sops_t,
        outbox_t,
        drafts_t,
        orders_t,
        conflicts_t,
        pulled_records_t,
        ticket_photos_t,
        meta_t,
    ):
        conn.execute(delete(table))
    set_meta(conn, "device_id", new_device_id)
    set_meta(conn, "next_seq", "1")
