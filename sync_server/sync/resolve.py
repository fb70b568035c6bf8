"""A human closes a conflict: keep the server's value, or apply the device's value."""

from __future__ import annotations

from shared.customers import Customer
from shared.errors import Conflict, InvalidInput, NotFound
from sync_server.storage.base import Scope, StorageBase, StoredRecord


def resolve_conflict(
    storage: StorageBase, scope: Scope, conflict_id: str, choice: str, at: float
) -> None:
    row = storage.get_conflict(scope.org_id, conflict_id)
    if row is None:
        raise NotFound("no such conflict", message_zh="冲突记录不存在", field="conflict_id")
    if row.status != "open":
        raise Conflict("this conflict is already resolved", message_zh="该冲突已处理")
    if choice == "device":
        if row.kind != "field_conflict":
            raise InvalidInput(
                "only field conflicts can take the device's value; capture a new record instead",
                message_zh="只有字段冲突可以采用设备的值",
                field="choice",
            )
        with storage.write(scope.org_id) as tx:
            rec = tx.get_records(row.record_type, [row.record_id]).get(row.record_id)
            if rec is None or rec.deleted:
                raise Conflict("the record no longer exists", message_zh="记录已不存在")
            payload = dict(rec.payload)
            payload[row.field] = row.device_value
            Customer.model_validate(payload)
            tx.put_records(
                [
                    StoredRecord(
                        org_id=rec.org_id,
                        record_type=rec.record_type,
                        record_id=rec.record_id,
                        version=rec.version + 1,
                        server_seq=tx.next_seq(),
                        payload=payload,
                        scope_kind=rec.scope_kind,
                        owner_user_id=rec.owner_user_id,
                        team_id=rec.team_id,
                        updated_at=at,
                    )
                ]
            )
    storage.resolve_conflict(scope.org_id, conflict_id, choice, scope.user_id, at)
