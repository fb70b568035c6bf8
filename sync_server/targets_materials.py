"""Materials an admin uploads (competitor attack packs 竞品攻坚包 per industry, each track's
support materials) and their delivery to reps (docs/targets.md "Server").

Bytes live in ``target_material_blobs`` (content-addressed per organisation); the metadata is a
``material`` org record every device pulls. A rep may download bytes only through a
``material_delivery`` record of theirs that lists them; managers and admins may download any
material of their organisation.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from shared.changes import RecordType
from shared.errors import InvalidInput, NotFound
from sync_server.storage.base import Scope, StorageBase, StoredRecord, WriteTx
from sync_server.targets_records import MATERIAL_KINDS, TRACKS, put_record

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MATERIAL = RecordType.MATERIAL.value
DELIVERY = RecordType.MATERIAL_DELIVERY.value
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _tx_run(tx: WriteTx, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    cur = tx._cur  # type: ignore[attr-defined]
    cur.execute(tx._s._q(sql), params)  # type: ignore[attr-defined]
    try:
        return list(cur.fetchall())
    except Exception:  # statements without a result set (psycopg raises)
        return []


def _bad(message: str, message_zh: str, field: str) -> InvalidInput:
    return InvalidInput(message, message_zh=message_zh, field=field)


def check_material_fields(
    kind: str, industry: str, track: str, title_zh: str, title_en: str, material_id: str
) -> None:
    if kind not in MATERIAL_KINDS:
        raise _bad(f"kind must be one of {', '.join(MATERIAL_KINDS)}", "资料类型无效", "kind")
    if kind == "attack_pack" and not industry.strip():
        raise _bad("an attack pack needs its industry", "竞品攻坚包必须指定行业", "industry")
    if len(industry) > 100:
        raise _bad("industry: at most 100 characters", "行业名称过长", "industry")
    if kind == "support_material" and track not in TRACKS:
        raise _bad(f"track must be one of {', '.join(TRACKS)}", "所属目标轨道无效", "track")
    if not (title_zh.strip() or title_en.strip()):
        raise _bad("give a title (title_zh or title_en)", "请填写资料标题", "title_zh")
    for name, value in (("title_zh", title_zh), ("title_en", title_en)):
        if len(value) > 200:
            raise _bad(f"{name}: at most 200 characters", "标题过长", name)
    if not material_id or len(material_id) > 64 or not set(material_id) <= _ID_CHARS:
        raise _bad("id: 1 to 64 letters, digits, '_', '.' or '-'", "资料编号格式无效", "id")


def put_material(
    storage: StorageBase,
    org_id: str,
    *,
    data: bytes,
    mime: str,
    kind: str,
    title_zh: str,
    title_en: str,
    industry: str = "",
    track: str = "increment",
    filename: str = "",
    material_id: str = "",
    order: int = 0,
    by: str = "",
) -> tuple[StoredRecord, list[str]]:
    """Store the bytes and a new version of the material record; fill pending deliveries.

    Returns the record and the ids of deliveries that received it.
    """
    if not data or len(data) > MAX_MATERIAL_BYTES:
        raise _bad(f"a material has 1 to {MAX_MATERIAL_BYTES} bytes", "资料文件为空或过大", "file")
    sha = hashlib.sha256(data).hexdigest()
    industry = industry.strip() if kind == "attack_pack" else ""
    track = "" if kind == "attack_pack" else (track or "increment")
    material_id = material_id or f"{kind}-{sha[:16]}"
    check_material_fields(kind, industry, track, title_zh, title_en, material_id)
    payload = {
        "id": material_id,
        "kind": kind,
        "industry": industry,
        "track": track,
        "title_zh": title_zh.strip(),
        "title_en": title_en.strip(),
        "sha256": sha,
        "mime": (mime or "application/octet-stream")[:100],
        "size": len(data),
        "filename": filename[:200],
        "order": order,
        "active": True,
    }
    with storage.write(org_id) as tx:
        _tx_run(
            tx,
            "INSERT INTO target_material_blobs (org_id, sha256, mime, size, data, created_by,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (org_id, sha, payload["mime"], len(data), data, by, time.time()),
        )
        rec = put_record(tx, MATERIAL, material_id, payload, org_wide=True)
        if rec is None:
            rec = tx.get_records(MATERIAL, [material_id])[material_id]
        filled = fill_pending_deliveries(tx)
    return rec, filled


def retire_material(storage: StorageBase, org_id: str, material_id: str) -> StoredRecord:
    """Mark a material inactive (a new version): it is no longer pushed; deliveries keep it."""
    with storage.write(org_id) as tx:
        cur = tx.get_records(MATERIAL, [material_id]).get(material_id)
        if cur is None or cur.deleted:
            raise NotFound("no such material", message_zh="资料不存在", field="material_id")
        rec = put_record(
            tx, MATERIAL, material_id, {**cur.payload, "active": False}, org_wide=True,
            current=cur, known=True,
        )  # fmt: skip
        return rec or cur


def active_materials(tx: WriteTx) -> list[dict[str, Any]]:
    rows = [r.payload for r in tx.all_records(MATERIAL) if not r.deleted]
    return sorted(
        (p for p in rows if p.get("active", True)),
        key=lambda p: (int(p.get("order", 0)), str(p.get("id"))),
    )


def list_materials(storage: StorageBase, org_id: str) -> list[dict[str, Any]]:
    rows = storage._all(  # type: ignore[attr-defined]
        "SELECT payload FROM records WHERE org_id = %s AND record_type = %s AND deleted = 0",
        (org_id, MATERIAL),
    )
    out = [json.loads(r[0]) for r in rows]
    return sorted(out, key=lambda p: (p["kind"], p["industry"], int(p.get("order", 0)), p["id"]))


def pick_materials(
    materials: list[dict[str, Any]], kind: str, industry: str, per_push: int
) -> list[dict[str, Any]]:
    """What an action delivers: every active attack pack of the industry, or the first
    ``per_push`` active support materials of the increment track (by order, then id)."""
    if kind == "attack_pack":
        chosen = [m for m in materials if m["kind"] == "attack_pack" and m["industry"] == industry]
    else:
        chosen = [
            m for m in materials if m["kind"] == "support_material" and m["track"] == "increment"
        ][:per_push]
    keys = ("id", "sha256", "title_zh", "title_en", "mime", "size")
    return [{k: m[k] for k in keys} for m in chosen]


def fill_pending_deliveries(tx: WriteTx, per_push: int | None = None) -> list[str]:
    """Deliveries created before their materials were uploaded get them now (a new version,
    pulled by the rep's device)."""
    pending = [r for r in tx.all_records(DELIVERY) if not r.deleted and r.payload.get("pending")]
    if not pending:
        return []
    materials = active_materials(tx)
    filled: list[str] = []
    for rec in pending:
        p = rec.payload
        n = per_push or int(p.get("per_push", 3))
        kind = "attack_pack" if p["kind"] == "attack_pack" else "support_material"
        chosen = pick_materials(materials, kind, p.get("industry", ""), n)
        if not chosen:
            continue
        new = {**p, "materials": chosen, "pending": False}
        put_record(
            tx, DELIVERY, rec.record_id, new, owner=rec.owner_user_id, team=rec.team_id,
            current=rec, known=True,
        )  # fmt: skip
        filled.append(rec.record_id)
    return filled


def may_download(storage: StorageBase, scope: Scope, sha256: str) -> bool:
    """Admins and managers: any material of the organisation. Reps: a material listed in a
    live delivery of theirs."""
    if scope.role in ("admin", "manager"):
        rows = storage._all(  # type: ignore[attr-defined]
            "SELECT payload FROM records WHERE org_id = %s AND record_type = %s"
            " AND deleted = 0 AND payload LIKE %s",
            (scope.org_id, MATERIAL, f"%{sha256}%"),
        )
        return any(json.loads(r[0]).get("sha256") == sha256 for r in rows)
    rows = storage._all(  # type: ignore[attr-defined]
        "SELECT payload FROM records WHERE org_id = %s AND record_type = %s AND deleted = 0"
        " AND owner_user_id = %s AND payload LIKE %s",
        (scope.org_id, DELIVERY, scope.user_id, f"%{sha256}%"),
    )
    for (raw,) in rows:
        if any(m.get("sha256") == sha256 for m in json.loads(raw).get("materials", [])):
            return True
    return False


def get_material_bytes(storage: StorageBase, scope: Scope, sha256: str) -> tuple[bytes, str]:
    """The bytes, when the scope may see them (else ``not_found``: nothing is revealed)."""
    if may_download(storage, scope, sha256):
        rows = storage._all(  # type: ignore[attr-defined]
            "SELECT data, mime FROM target_material_blobs WHERE org_id = %s AND sha256 = %s",
            (scope.org_id, sha256),
        )
        if rows:
            return bytes(rows[0][0]), str(rows[0][1])
    raise NotFound("no such material", message_zh="资料不存在", field="sha256")
