"""Authorization tests generated from the app's URL map: a new endpoint is covered by default.

For every rule and method, requests with another rep's token (same organisation and team) and
another organisation's admin token must be refused (401/403/404) or answer with none of rep1's
data, and must change none of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from sync_server.storage.base import Scope
from sync_server.targets_materials import put_material
from sync_server.targets_records import put_record
from sync_server.tickets_ocr import ocr_service
from sync_server.tickets_seed import seed_ticket_config
from tests.sync_server.conftest import Api
from tests.sync_server.server_world import World, build_world
from tests.sync_server.test_tickets_world import ticket_payload

# endpoint -> what another rep / another organisation's admin gets.
#   public:   no token needed and no organisation data (health, openapi, login)
#   own:      may answer 2xx, but only with the caller's own data
#   refused:  must answer 401/403/404 (or 4xx validation that precedes access: never 2xx)
#   org_shared: status of content-addressed uploads within one organisation; another
#               organisation is refused
EXPECT: dict[str, tuple[str, str]] = {  # (other rep, other org admin)
    "meta.health": ("public", "public"),
    "meta.openapi": ("public", "public"),
    "auth.login": ("public", "public"),
    "auth.logout": ("own", "own"),
    "auth.me": ("own", "own"),
    "sync.hello": ("own", "own"),
    "sync.push": ("own", "own"),
    "sync.pull": ("own", "own"),
    "sync.conflicts": ("own", "own"),
    "sync.resolve": ("refused", "refused"),
    "photos.create_upload": ("org_shared", "own"),
    "photos.append_chunk": ("org_shared", "own"),  # "own": its own upload of the same hash
    "photos.upload_status": ("org_shared", "own"),
    "photos.content": ("refused", "refused"),
    "attachments.create_upload": ("org_shared", "own"),
    "attachments.append_chunk": ("org_shared", "own"),
    "attachments.upload_status": ("org_shared", "own"),
    "attachments.content": ("refused", "refused"),
    "admin_sops.list_sops": ("refused", "own"),
    "admin.read_settings": ("refused", "own"),
    "admin.write_settings": ("refused", "own"),
    "admin.write_calendar_year": ("refused", "own"),
    "admin.write_sop": ("refused", "own"),
    "admin.list_users": ("refused", "own"),
    "admin.create_user": ("refused", "own"),
    "admin.reset_password": ("refused", "refused"),
    "admin.deactivate_user": ("refused", "refused"),
    "admin.list_devices": ("refused", "own"),
    "admin.revoke_device": ("refused", "refused"),
    "admin.import_customers": ("refused", "refused"),
    "targets.import_orders": ("refused", "own"),
    "targets_materials.upload_material": ("refused", "own"),
    "targets_materials.materials": ("own", "own"),  # metadata every device pulls
    "targets_materials.retire": ("refused", "refused"),
    "targets_materials.material_content": ("refused", "refused"),
    "targets_materials.read_settings": ("own", "own"),
    "targets_materials.write_settings": ("refused", "own"),
    "targets_materials.evaluate": ("refused", "own"),
    "targets_materials.actions": ("refused", "own"),
    "targets_reports.district_report": ("refused", "refused"),
    "targets_reports.board_export": ("refused", "own"),
    "tickets.list_tickets": ("own", "own"),
    "tickets.triage_queue": ("refused", "own"),
    "tickets.board": ("refused", "own"),
    "tickets.export": ("refused", "own"),
    "tickets.detail": ("refused", "refused"),
    "tickets.transition_ticket": ("refused", "refused"),
    "tickets.answer": ("refused", "refused"),
    "tickets.comment": ("refused", "refused"),
    "tickets.photo": ("refused", "refused"),
    "ticket_config.read_root_causes": ("own", "own"),  # organisation data every device pulls
    "ticket_config.write_root_causes": ("refused", "own"),
    "ticket_config.list_answer_scripts": ("own", "own"),
    "ticket_config.write_answer_script": ("refused", "own"),
    "ticket_config.read_routing": ("refused", "own"),
    "ticket_config.write_routing": ("refused", "own"),
    "ticket_config.read_ticket_settings": ("own", "own"),
    "ticket_config.write_ticket_settings": ("refused", "own"),
    "ticket_config.upload_document": ("refused", "own"),
    "ticket_config.document": ("own", "refused"),
}


def bodies(w: World) -> dict[str, Any]:
    return {
        "sync.push": {
            "changes": [
                {
                    "seq": 900,
                    "record_type": "customer",
                    "record_id": w.customer_id,
                    "op": "update",
                    "base_version": 1,
                    "payload": {"fields": {"name": "x"}, "base": {"name": "Store"}},
                },
                {"seq": 901, "record_type": "customer", "record_id": w.customer_id, "op": "delete"},
            ]
        },
        "sync.resolve": {"choice": "device"},
        "photos.create_upload": {"size": len(w.photo)},
        "attachments.create_upload": {"size": len(w.photo)},
        "admin.write_settings": {"radius_m": 1.0},
        "admin.write_calendar_year": {"year": 2030, "holidays": {}, "makeup_workdays": {}},
        "admin.write_sop": {"label": {"zh": "x", "en": "x"}},
        "admin.create_user": {"username": "newbie", "password": "password-1", "role": "rep"},
        "admin.reset_password": {"password": "password-2"},
        "targets.import_orders": {
            "orders": [
                {
                    "erp_order_id": "o-1",
                    "customer_id": w.customer_id,
                    "ordered_on": "2025-03-01",
                    "amount": "10.00",
                    "categories": "饮料",
                }
            ]
        },
        "targets_materials.write_settings": {"stock_repurchase_target": 1.0},
        "targets_materials.evaluate": {"as_of": "2025-03-31"},
        "tickets.transition_ticket": {"state": "closed"},
        "tickets.answer": {"text": "stolen answer"},
        "tickets.comment": {"text": "stolen comment"},
        "ticket_config.write_root_causes": {"nodes": []},
        "ticket_config.write_answer_script": {
            "id": "kb-price-cap",
            "root_cause_id": "policy.vbp_pricing.price_cap",
            "text_en": "x",
            "text_zh": "x",
        },
        "ticket_config.write_routing": {"rules": [], "fallback_owner_id": w.users["rep1"].id},
        "ticket_config.write_ticket_settings": {"max_photos": 1},
        "admin.import_customers": {
            "customers": [
                {"id": w.customer_id, "org_id": "acme", "name": "stolen", "lat": 1, "lon": 1}
            ]
        },
    }


def concrete(rule: str, w: World) -> str:
    values = {
        "sha256": w.photo_sha,
        "conflict_id": w.conflict_id,
        "user_id": w.users["rep1"].id,
        "device_id": w.rep1_device,
        "year": "2030",
        "action_type": "replenishment",
        "ticket_id": w.secrets[-1],
        "script_id": "kb-price-cap",
        "material_id": "attack_pack-victim",
        "district": "南山区",
    }
    return re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", lambda m: values[m.group(1)], rule)


def victim_state(api: Api, attacker_id: str) -> Any:
    s = api.storage
    rows = s._all(  # type: ignore[attr-defined]
        "SELECT record_type, record_id, version, deleted FROM records WHERE org_id = 'acme'"
        " ORDER BY record_type, record_id"
    )
    users = [(u.id, u.active, u.password_hash) for u in s.list_users("acme")]
    devices = [(d.device_id, d.revoked_at) for d in s.list_devices("acme")]
    conflicts = [
        (c.id, c.status)
        for c in s.list_conflicts(Scope("acme", "", "admin"), "all")
        if c.user_id != attacker_id
    ]  # conflicts the attacker raised are theirs
    upload = s.get_upload("acme", "0" * 64)
    return rows, users, devices, conflicts, upload, s.org_position("acme")


@pytest.fixture
def world(api: Api) -> World:
    w = build_world(api)
    seed_ticket_config(api.storage, "acme", owner_id=w.users["mgr1"].id)
    ticket = ticket_payload(w.users["rep1"].id, photos=(w.photo_sha,))
    change = {"seq": 50, "record_type": "ticket", "record_id": ticket["id"], "op": "create"}
    r = api.call("POST", "/api/v1/sync/push", w.headers["rep1"], json={"changes": [
        {**change, "payload": ticket}]})  # fmt: skip
    assert r.json["outcomes"][0]["status"] == "applied", r.json
    w.secrets.append(ticket["id"])  # concrete() takes the ticket id from the end
    service = ocr_service(api.app)
    if service is not None:  # the ticket's photo is OCRed in the background: let it land first
        assert service.worker.wait_idle(120)
    # A material (same bytes as the photo, so every <sha256> URL names it) delivered to rep1.
    rec, _ = put_material(
        api.storage, "acme", data=w.photo, mime="image/jpeg", kind="attack_pack",
        industry="医疗器械", title_zh="攻坚包", title_en="Pack", material_id="attack_pack-victim",
    )  # fmt: skip
    rep1 = w.users["rep1"]
    with api.storage.write("acme") as tx:
        put_record(tx, "material_delivery", "md-victim", {"materials": [rec.payload]},
                   owner=rep1.id, team=rep1.team_id)  # fmt: skip
    return w


def test_every_endpoint_has_an_authorization_expectation(api: Api):
    endpoints = {r.endpoint for r in api.app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints == set(EXPECT), "add new endpoints to EXPECT"


@pytest.mark.parametrize("attacker", ["rep2", "other_admin"])
def test_no_endpoint_gives_or_changes_another_users_data(world: World, attacker: str):
    api = world.api
    body = bodies(world)
    checked = 0
    sent = ""
    for rule in api.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        expectation = EXPECT[rule.endpoint][0 if attacker == "rep2" else 1]
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            if rule.endpoint == "auth.logout":
                continue  # would end the attacker's own session; covered in test_api_auth
            headers = dict(world.headers[attacker])
            kw: dict[str, Any] = {}
            if rule.endpoint == "photos.append_chunk":
                headers["Upload-Offset"] = "0"
                kw["data"] = b"\xff\xd8"
            elif method in ("POST", "PUT", "PATCH"):
                kw["json"] = body.get(rule.endpoint, {})
            before = victim_state(api, headers["X-User"])
            url = concrete(rule.rule, world)
            sent += url + json.dumps(kw.get("json", {}))  # echoing what was sent is no leak
            r = api.call(method, url, headers, **kw)
            after = victim_state(api, headers["X-User"])
            text = r.get_data().decode("utf-8", "replace")  # XLSX/PDF answers are binary
            where = f"{method} {rule.rule} as {attacker}: {r.status_code} {text[:200]}"
            assert after == before, f"victim data changed by {where}"
            if expectation == "refused":
                assert r.status_code in (400, 401, 403, 404, 409), where
            elif expectation != "public":
                leaked = [s for s in world.secrets if s in text and s not in sent]
                if expectation == "org_shared" and attacker == "rep2":
                    leaked = [s for s in leaked if s != world.photo_sha]
                assert not leaked, f"{where} leaked {leaked}"
            checked += 1
    assert checked >= len(EXPECT)


def test_the_owner_and_manager_can_do_what_others_cannot(world: World):
    api = world.api
    for who in ("rep1", "mgr1", "admin1"):
        r = api.call("GET", f"/api/v1/photos/{world.photo_sha}/content", world.headers[who])
        assert r.status_code == 200 and r.data == world.photo
        pulled = api.call("GET", "/api/v1/sync/pull", world.headers[who]).get_data(as_text=True)
        assert world.visit_id in pulled and world.customer_id in pulled
        conflicts = json.loads(
            api.call("GET", "/api/v1/conflicts", world.headers[who]).get_data(as_text=True)
        )
        assert [c["id"] for c in conflicts["conflicts"]] == [world.conflict_id]
