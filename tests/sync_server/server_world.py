"""A populated server for HTTP tests: org 'acme' where rep1 owns data, and org 'other'."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from sync_server.sync.orgdata import upsert_customers
from tests.support.photos import make_jpeg
from tests.sync_server.conftest import Api
from tests.sync_server.server_support import customer, visit_payload


@dataclass
class World:
    api: Api
    headers: dict[str, dict[str, str]]
    users: dict[str, Any]
    customer_id: str
    visit_id: str
    photo_sha: str
    photo: bytes
    conflict_id: str
    rep1_device: str
    secrets: list[str] = field(default_factory=list)


def push(api: Api, headers: dict[str, str], changes: list[dict[str, Any]]) -> Any:
    r = api.call("POST", "/api/v1/sync/push", headers, json={"changes": changes})
    assert r.status_code == 200, r.json
    return r.json["outcomes"]


def upload(api: Api, headers: dict[str, str], data: bytes, chunk: int = 4096) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = api.call("POST", f"/api/v1/photos/{sha}", headers, json={"size": len(data)})
    assert r.status_code in (200, 201), r.json
    offset = r.json["offset"]
    while offset < len(data):
        r = api.call(
            "PATCH",
            f"/api/v1/photos/{sha}",
            {**headers, "Upload-Offset": str(offset)},
            data=data[offset : offset + chunk],
        )
        assert r.status_code == 200, r.json
        offset = r.json["offset"]
    assert r.json["complete"]
    return sha


def build_world(api: Api) -> World:
    users = api.setup_org("acme")
    other_users = api.setup_org("other")
    headers = {
        "rep1": api.login("acme", "rep1", device_id="rep1-phone"),
        "rep2": api.login("acme", "rep2"),
        "mgr1": api.login("acme", "mgr1"),
        "admin1": api.login("acme", "admin1"),
        "other_admin": api.login("other", "admin1"),
        "other_rep": api.login("other", "rep1"),
    }
    c = customer("acme", address="old")
    upsert_customers(api.storage, "acme", [(c, users["rep1"])])
    photo = make_jpeg(320, 240, seed=7)
    sha = upload(api, headers["rep1"], photo)
    vid = uuid.uuid4().hex
    payload = visit_payload("acme", c.id, users["rep1"].id, vid)
    payload["photos"] = [
        {
            "slot": "shelf_stock",
            "provenance": "app_camera",
            "sha256": sha,
            "phash": "0f0f0f0f0f0f0f0f",
        }
    ]
    out = push(
        api,
        headers["rep1"],
        [{"seq": 1, "record_type": "visit", "record_id": vid, "op": "create", "payload": payload}],
    )
    assert out[0]["status"] == "applied", out
    push(
        api,
        headers["mgr1"],
        [
            {
                "seq": 1,
                "record_type": "customer",
                "record_id": c.id,
                "op": "update",
                "base_version": 1,
                "payload": {"fields": {"address": "mgr"}, "base": {"address": "old"}},
            }
        ],
    )
    out = push(
        api,
        headers["rep1"],
        [
            {
                "seq": 2,
                "record_type": "customer",
                "record_id": c.id,
                "op": "update",
                "base_version": 1,
                "payload": {"fields": {"address": "rep"}, "base": {"address": "old"}},
            }
        ],
    )
    assert out[0]["status"] == "conflict"
    conflict_id = out[0]["details"]["conflict_ids"][0]
    world = World(
        api,
        headers,
        {**users, "other": other_users},
        c.id,
        vid,
        sha,
        photo,
        conflict_id,
        "rep1-phone",
    )
    world.secrets = [c.id, vid, conflict_id, "rep1-phone", users["rep1"].id]
    return world
