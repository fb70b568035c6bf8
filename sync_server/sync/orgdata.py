"""Server-authoritative organisation data written by admins: settings, calendar, SOPs, customers.

Each write is a change with a ``server_seq`` so devices pull it like anything else.
"""

from __future__ import annotations

import time
from typing import Any

from shared.customers import Customer
from shared.errors import InvalidInput
from shared.settings import OrgSettings
from shared.sop import SopTemplate, default_sop_templates
from shared.workcal import WorkCalendar, parse_year_schedule
from sync_server.storage.base import StorageBase, StoredRecord, UserRow, WriteTx
from sync_server.sync.context import default_calendar


def _put_org_record(tx: WriteTx, record_type: str, record_id: str, payload: dict[str, Any]) -> int:
    current = tx.get_records(record_type, [record_id]).get(record_id)
    rec = StoredRecord(
        org_id=tx.org_id,
        record_type=record_type,
        record_id=record_id,
        version=(current.version + 1) if current else 1,
        server_seq=tx.next_seq(),
        payload=payload,
        scope_kind="org",
        updated_at=time.time(),
    )
    tx.put_records([rec])
    return rec.server_seq


def seed_org_data(storage: StorageBase, org_id: str) -> None:
    """Default settings, the official calendar and the default SOP templates."""
    with storage.write(org_id) as tx:
        _put_org_record(tx, "settings", "settings", OrgSettings().model_dump(mode="json"))
        _put_org_record(tx, "calendar", "calendar", default_calendar().model_dump(mode="json"))
        for action_type, sop in default_sop_templates().items():
            _put_org_record(tx, "sop", action_type, sop.model_dump(mode="json"))


def get_settings(storage: StorageBase, org_id: str) -> OrgSettings:
    rec = storage.get_record(org_id, "settings", "settings")
    return OrgSettings.model_validate(rec.payload) if rec else OrgSettings()


def set_settings(storage: StorageBase, org_id: str, settings: OrgSettings) -> int:
    with storage.write(org_id) as tx:
        return _put_org_record(tx, "settings", "settings", settings.model_dump(mode="json"))


def load_calendar_year(storage: StorageBase, org_id: str, data: dict[str, Any]) -> int:
    schedule = parse_year_schedule(data)
    with storage.write(org_id) as tx:
        rec = tx.get_records("calendar", ["calendar"]).get("calendar")
        calendar = WorkCalendar.model_validate(rec.payload) if rec else default_calendar()
        updated = calendar.with_year(schedule)
        return _put_org_record(tx, "calendar", "calendar", updated.model_dump(mode="json"))


def put_sop(storage: StorageBase, org_id: str, sop: SopTemplate) -> int:
    with storage.write(org_id) as tx:
        return _put_org_record(tx, "sop", sop.action_type, sop.model_dump(mode="json"))


def upsert_customers(
    storage: StorageBase, org_id: str, rows: list[tuple[Customer, UserRow | None]]
) -> list[int]:
    """Create or replace customers and their assignments, all in one transaction.

    Reassigning a customer tells its former rep (and former team) that it left their scope.
    """
    now = time.time()
    seqs: list[int] = []
    with storage.write(org_id) as tx:
        existing = tx.get_records("customer", [c.id for c, _ in rows])
        for customer, rep in rows:
            if customer.org_id != org_id:
                raise InvalidInput(
                    f"customer {customer.id}: org_id must be {org_id!r}",
                    message_zh="客户所属组织不符",
                    field="org_id",
                )
            owner, team = (rep.id, rep.team_id) if rep else ("", "")
            old = existing.get(customer.id)
            if old is not None and not old.deleted:
                audiences: list[tuple[str, str]] = []
                if old.owner_user_id and old.owner_user_id != owner:
                    audiences.append(("user", old.owner_user_id))
                if old.team_id and old.team_id != team:
                    audiences.append(("team", old.team_id))
                if audiences:
                    tx.add_scope_exit("customer", customer.id, audiences)
            if old is None or old.owner_user_id != owner or old.deleted:
                tx.assign_customer(customer.id, owner, team, now)
            rec = StoredRecord(
                org_id=org_id,
                record_type="customer",
                record_id=customer.id,
                version=(old.version + 1) if old else 1,
                server_seq=tx.next_seq(),
                payload=customer.model_dump(mode="json"),
                owner_user_id=owner,
                team_id=team,
                updated_at=now,
            )
            tx.put_records([rec])
            existing[customer.id] = rec
            seqs.append(rec.server_seq)
    return seqs
