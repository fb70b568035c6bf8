"""Targets as sync records (docs/sync-protocol.md section 12): who pulls what, and how the
server writes them.

* ``target_settings`` (id ``target_settings``), ``material`` (id = material id; metadata
  only, bytes need a delivery): ``org``, everyone pulls them.
* ``material_delivery`` (``md-<hash of action key>``), ``target_snapshot``
  (``ts-<rep>-<period>``): ``owned`` by the rep, team = the rep's team (its managers), admins.
* ``target_task`` (``tt-<hash of action key>``): owner = the first supervisor, team = the rep's
  team (every manager of it), admins; the rep does not pull it.
* ``store_metric`` (``sm-<store>-<day>``): no owner, team = the store's team (managers), admins.

Every type is server-authoritative: a push of one is rejected ``server_authoritative``. The
handlers are registered into ``sync_server.sync.push.HANDLERS`` when this module is imported
(``sync_server.api.targets_materials`` imports it), so the push path itself is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from shared.changes import RecordType
from shared.targets import TargetSettings
from sync_server.storage.base import StorageBase, StoredRecord, UserRow, WriteTx

SETTINGS_ID = "target_settings"
MATERIAL_KINDS = ("attack_pack", "support_material")
TRACKS = ("stock", "increment")


def _canon(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def put_record(
    tx: WriteTx,
    record_type: str,
    record_id: str,
    payload: dict[str, Any],
    *,
    org_wide: bool = False,
    owner: str = "",
    team: str = "",
    current: StoredRecord | None = None,
    known: bool = False,
) -> StoredRecord | None:
    """Write a new version unless the live record already holds the same payload and scope.

    Returns the new record, or None when nothing changed (recomputing adds no versions, so
    devices pull nothing new). ``known`` = ``current`` was already looked up (may be None).
    """
    if not known:
        current = tx.get_records(record_type, [record_id]).get(record_id)
    scope_kind = "org" if org_wide else "owned"
    if (
        current is not None
        and not current.deleted
        and current.scope_kind == scope_kind
        and current.owner_user_id == owner
        and current.team_id == team
        and _canon(current.payload) == _canon(payload)
    ):
        return None
    rec = StoredRecord(
        org_id=tx.org_id,
        record_type=record_type,
        record_id=record_id,
        version=(current.version + 1) if current else 1,
        server_seq=tx.next_seq(),
        payload=payload,
        scope_kind=scope_kind,
        owner_user_id=owner,
        team_id=team,
        updated_at=time.time(),
    )
    tx.put_records([rec])
    return rec


def action_record_id(prefix: str, action_key: str) -> str:
    return f"{prefix}-{hashlib.sha256(action_key.encode()).hexdigest()[:32]}"


def snapshot_id(rep_id: str, period_key: str) -> str:
    """``ts-<rep>-<period>``; hashed when a long user id would pass 64 characters."""
    rid = f"ts-{rep_id}-{period_key}"
    if len(rid) <= 64:
        return rid
    return f"ts-{hashlib.sha256(rep_id.encode()).hexdigest()[:24]}-{period_key}"


def store_metric_id(customer_id: str, day: str) -> str:
    rid = f"sm-{customer_id}-{day}"
    if len(rid) <= 64:
        return rid
    return f"sm-{hashlib.sha256(customer_id.encode()).hexdigest()[:24]}-{day}"


# --- settings -------------------------------------------------------------------------------


def load_target_settings(storage: StorageBase, org_id: str) -> TargetSettings:
    rec = storage.get_record(org_id, RecordType.TARGET_SETTINGS.value, SETTINGS_ID)
    if rec is None or rec.deleted:
        return TargetSettings()
    return TargetSettings.model_validate(rec.payload)


def save_target_settings(storage: StorageBase, org_id: str, settings: TargetSettings) -> int:
    with storage.write(org_id) as tx:
        rec = put_record(
            tx,
            RecordType.TARGET_SETTINGS.value,
            SETTINGS_ID,
            settings.model_dump(mode="json"),
            org_wide=True,
        )
        if rec is not None:
            return rec.server_seq
        cur = tx.get_records(RecordType.TARGET_SETTINGS.value, [SETTINGS_ID])[SETTINGS_ID]
        return cur.server_seq


# --- teams ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Users of an organisation as the targets need them."""

    users: dict[str, UserRow]

    @classmethod
    def load(cls, storage: StorageBase, org_id: str) -> People:
        return cls({u.id: u for u in storage.list_users(org_id)})

    def name(self, user_id: str) -> str:
        u = self.users.get(user_id)
        if u is None:
            return user_id
        return u.display_name or u.username

    def team_of(self, user_id: str) -> str:
        u = self.users.get(user_id)
        return u.team_id if u is not None else ""

    def supervisors(self, rep_id: str) -> list[str]:
        """The rep's supervisors: the active managers of the rep's team, by username.

        Teams are modelled as ``users.team_id``; a manager supervises the team whose id they
        carry. A rep without a team, or a team without an active manager, has no supervisor
        (the task then goes to the admins only).
        """
        team = self.team_of(rep_id)
        if not team:
            return []
        managers = [
            u for u in self.users.values() if u.role == "manager" and u.active and u.team_id == team
        ]
        return [u.id for u in sorted(managers, key=lambda u: u.username)]

    def reps(self) -> list[str]:
        return sorted(u.id for u in self.users.values() if u.role == "rep" and u.active)


# --- push handlers --------------------------------------------------------------------------

SERVER_TYPES = (
    RecordType.TARGET_SETTINGS,
    RecordType.MATERIAL,
    RecordType.MATERIAL_DELIVERY,
    RecordType.TARGET_TASK,
    RecordType.TARGET_SNAPSHOT,
    RecordType.STORE_METRIC,
)


def register() -> None:
    from sync_server.sync.push import HANDLERS, _server_only

    for rtype in SERVER_TYPES:
        HANDLERS.setdefault(rtype, _server_only)


register()
