"""Materials: admin upload, delivery to a rep through sync, authenticated download for offline
opening, scope (both backends). World: tests/sync_server/targets_support.py."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sync_server.targets_engine import evaluate_org
from tests.sync_server.targets_support import (  # noqa: F401
    TargetsWorld,
    tworld_fixture,
    upload_material,
)

PACK = b"%PDF-1.4\n% medical devices attack pack\n" + bytes(range(256)) * 4
SUPPORT = [f"support material {i}\n".encode() * 10 for i in range(4)]


def deliveries(w: TargetsWorld, who: str) -> list[dict[str, Any]]:
    return [c["payload"] for c in w.pull(who) if c["record_type"] == "material_delivery"]


def upload_all(w: TargetsWorld) -> dict[str, Any]:
    r = upload_material(
        w, PACK, kind="attack_pack", industry="医疗器械", title_zh="医疗器械竞品攻坚包",
        title_en="Medical devices attack pack",
    )  # fmt: skip
    assert r.status_code == 201, r.json
    for i, data in enumerate(SUPPORT):  # uploaded in reverse order: order decides
        r = upload_material(
            w, data, kind="support_material", title_zh=f"资料{i}", title_en=f"Material {i}",
            order=str(3 - i), filename=f"s{i}.txt",
        )  # fmt: skip
        assert r.status_code == 201, r.json
    return r.json


def run_march(w: TargetsWorld) -> None:
    evaluate_org(w.api.storage, "acme", date(2025, 2, 28))
    evaluate_org(w.api.storage, "acme", date(2025, 3, 31))


def test_an_attack_pack_arrives_through_sync_and_only_its_rep_downloads_it(tworld: TargetsWorld):
    upload_all(tworld)
    run_march(tworld)
    mine = deliveries(tworld, "rep1")
    assert [(d["kind"], d["industry"], d["as_of"]) for d in mine] == [
        ("attack_pack", "医疗器械", "2025-03-16")
    ]
    pack = mine[0]
    assert pack["customer_ids"] == ["N1"] and pack["pending"] is False
    sha = hashlib.sha256(PACK).hexdigest()
    assert [(m["sha256"], m["title_zh"], m["mime"]) for m in pack["materials"]] == [
        (sha, "医疗器械竞品攻坚包", "application/pdf")
    ]
    url = f"/api/v1/targets/materials/{sha}/content"
    got = tworld.get("rep1", url)
    assert got.status_code == 200 and got.data == PACK and got.mimetype == "application/pdf"
    assert got.headers["ETag"].strip('"') == sha
    # rep2's overdue case is in another industry: no pack of 医疗器械 for them.
    assert tworld.get("rep2", url).status_code == 404
    assert tworld.get("rep3", url).status_code == 404
    assert tworld.get("other_admin", url).status_code == 404
    assert tworld.get("mgr1", url).status_code == 200  # managers preview any material
    # Metadata is an org record: everyone pulls it, bytes stay behind the delivery check.
    meta = [c for c in tworld.pull("rep3") if c["record_type"] == "material"]
    assert sha in {c["payload"]["sha256"] for c in meta}
    assert deliveries(tworld, "rep3") == []


def test_a_pack_uploaded_after_the_breach_fills_the_pending_delivery(tworld: TargetsWorld):
    upload_all(tworld)
    run_march(tworld)
    pending = [d for d in deliveries(tworld, "rep2") if d["kind"] == "attack_pack"]
    assert [(d["industry"], d["pending"], d["materials"]) for d in pending] == [
        ("新能源", True, [])
    ]
    data = b"new energy pack bytes"
    r = upload_material(tworld, data, kind="attack_pack", industry="新能源",
                        title_zh="新能源攻坚包", title_en="New energy pack")  # fmt: skip
    assert r.status_code == 201 and r.json["filled"] == [pending[0]["id"]]
    filled = next(d for d in deliveries(tworld, "rep2") if d["kind"] == "attack_pack")
    assert filled["pending"] is False and [m["title_zh"] for m in filled["materials"]] == [
        "新能源攻坚包"
    ]
    sha = hashlib.sha256(data).hexdigest()
    assert tworld.get("rep2", f"/api/v1/targets/materials/{sha}/content").data == data
    assert tworld.get("rep1", f"/api/v1/targets/materials/{sha}/content").status_code == 404


def test_a_yellow_streak_delivers_the_first_three_support_materials(tworld: TargetsWorld):
    upload_all(tworld)
    run_march(tworld)
    support = [d for d in deliveries(tworld, "rep2") if d["kind"] == "support_materials"]
    assert len(support) == 1 and support[0]["as_of"] == "2025-03-30"
    # order 3 - i: material 3 has order 0, material 2 order 1, material 1 order 2.
    assert [m["title_en"] for m in support[0]["materials"]] == [
        "Material 3",
        "Material 2",
        "Material 1",
    ]
    for m in support[0]["materials"]:
        got = tworld.get("rep2", f"/api/v1/targets/materials/{m['sha256']}/content")
        assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == m["sha256"]
    leftover = hashlib.sha256(SUPPORT[0]).hexdigest()  # not delivered: refused to the rep
    assert tworld.get("rep2", f"/api/v1/targets/materials/{leftover}/content").status_code == 404


def test_a_retired_material_is_no_longer_pushed(tworld: TargetsWorld):
    r = upload_material(tworld, PACK, kind="attack_pack", industry="医疗器械", title_zh="旧包",
                        id="pack-old")  # fmt: skip
    assert r.status_code == 201
    gone = tworld.api.call("DELETE", "/api/v1/targets/materials/pack-old", tworld.headers["admin1"])
    assert gone.status_code == 200 and gone.json["material"]["active"] is False
    run_march(tworld)
    pack = next(d for d in deliveries(tworld, "rep1") if d["kind"] == "attack_pack")
    assert pack["pending"] is True and pack["materials"] == []
    missing = tworld.api.call("DELETE", "/api/v1/targets/materials/nope", tworld.headers["admin1"])
    assert missing.status_code == 404


def test_bad_uploads_name_the_field_and_store_nothing(tworld: TargetsWorld):
    cases = [
        ({"kind": "brochure", "title_zh": "x"}, "kind"),
        ({"kind": "attack_pack", "title_zh": "x"}, "industry"),
        ({"kind": "support_material", "track": "sideways", "title_zh": "x"}, "track"),
        ({"kind": "support_material"}, "title_zh"),
        ({"kind": "support_material", "title_zh": "x", "id": "bad id!"}, "id"),
        ({"kind": "support_material", "title_zh": "x", "order": "first"}, "order"),
    ]
    for fields, field in cases:
        r = upload_material(tworld, b"bytes", **fields)
        assert r.status_code == 400 and r.json["details"]["field"] == field, (fields, r.json)
    empty = upload_material(tworld, b"", kind="support_material", title_zh="x")
    assert empty.status_code == 400 and empty.json["details"]["field"] == "file"
    no_file = tworld.api.call("POST", "/api/v1/targets/materials", tworld.headers["admin1"],
                              data={"kind": "support_material"})  # fmt: skip
    assert no_file.status_code == 400 and no_file.json["details"]["field"] == "file"
    as_rep = upload_material(tworld, b"bytes", who="rep1", kind="support_material", title_zh="x")
    assert as_rep.status_code == 403
    assert tworld.get("admin1", "/api/v1/targets/materials").json["materials"] == []


def test_devices_cannot_push_server_written_target_records(tworld: TargetsWorld):
    changes = [
        {"seq": 1, "record_type": t, "record_id": "x1", "op": "create", "payload": {"a": 1}}
        for t in ("material_delivery", "target_snapshot", "target_task", "store_metric",
                  "material", "target_settings")
    ]  # fmt: skip
    body = {"changes": [{**c, "seq": i + 1} for i, c in enumerate(changes)]}
    r = tworld.api.call("POST", "/api/v1/sync/push", tworld.headers["rep1"], json=body)
    assert r.status_code == 200, r.json
    assert {(o["status"], o["code"]) for o in r.json["outcomes"]} == {
        ("rejected", "server_authoritative")
    }
