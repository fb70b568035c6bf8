"""Hello, push, pull, conflicts and photos over HTTP (Flask test client)."""

from __future__ import annotations

import hashlib
import json
import time

from tests.support.photos import make_jpeg
from tests.sync_server.conftest import Api
from tests.sync_server.server_world import build_world, push, upload


def test_hello_reports_epoch_positions_and_the_devices_highest_seq(api: Api):
    w = build_world(api)
    r = api.call("GET", "/api/v1/sync/hello", w.headers["rep1"])
    body = r.json
    assert body["device"] == {"device_id": "rep1-phone", "max_seq": 2}
    assert body["max_server_seq"] == api.storage.org_position("acme")[0]
    assert body["epoch"] == api.storage.get_meta("epoch") and len(body["epoch"]) == 16


def test_a_lost_response_retried_returns_the_same_outcome(api: Api):
    w = build_world(api)
    change = {
        "seq": 3,
        "record_type": "visit_void",
        "record_id": "void1",
        "op": "create",
        "payload": {"visit_id": w.visit_id, "reason": "wrong store"},
    }
    first = push(api, w.headers["rep1"], [change])[0]
    again = push(api, w.headers["rep1"], [change])[0]
    assert first["status"] == "applied"
    assert again["status"] == "duplicate" and again["first_status"] == "applied"
    assert again["server_seq"] == first["server_seq"]


def test_the_server_verdict_replaces_the_devices(api: Api):
    w = build_world(api)
    rec = api.storage.get_record("acme", "visit", w.visit_id)
    assert rec is not None and rec.report is not None
    assert rec.report["visit_id"] == w.visit_id
    pulled = api.call("GET", "/api/v1/sync/pull?limit=2000", w.headers["rep1"]).json["changes"]
    visit = next(c for c in pulled if c["record_id"] == w.visit_id)
    assert visit["report"]["counts"] == rec.report["counts"]
    assert "device_report" not in visit["payload"]


def test_a_device_claimed_report_is_kept_only_as_device_report(api: Api):
    w = build_world(api)
    from tests.sync_server.server_support import visit_payload

    payload = visit_payload("acme", w.customer_id, w.users["rep1"].id)
    payload["gps"] = {"lat": 0.0, "lon": 0.0, "accuracy_m": 5}  # far away: must block
    payload["device_report"] = {"counts": True}
    out = push(
        api,
        w.headers["rep1"],
        [
            {
                "seq": 10,
                "record_type": "visit",
                "record_id": payload["id"],
                "op": "create",
                "payload": payload,
            }
        ],
    )[0]
    assert out["status"] == "applied"
    assert out["details"]["report"]["counts"] is False
    assert "gps.distance" in out["details"]["report"]["blocking"]
    rec = api.storage.get_record("acme", "visit", payload["id"])
    assert rec.report["device_report"] == {"counts": True}  # type: ignore[union-attr]


def test_a_reused_photo_is_caught_by_the_server_across_reps(api: Api):
    w = build_world(api)
    from tests.sync_server.server_support import visit_payload

    rep2 = w.users["rep2"]
    c2 = "c2" + "0" * 30
    from sync_server.sync.orgdata import upsert_customers
    from tests.sync_server.server_support import customer

    upsert_customers(api.storage, "acme", [(customer("acme", c2), rep2)])
    payload = visit_payload("acme", c2, rep2.id)
    payload["photos"] = [
        {
            "slot": "shelf_stock",
            "provenance": "app_camera",
            "sha256": w.photo_sha,
            "phash": "0f0f0f0f0f0f0f0f",
        }
    ]
    out = push(
        api,
        w.headers["rep2"],
        [
            {
                "seq": 1,
                "record_type": "visit",
                "record_id": payload["id"],
                "op": "create",
                "payload": payload,
            }
        ],
    )[0]
    assert "photo.reused" in out["details"]["report"]["blocking"]


def test_pull_validates_its_parameters_and_pages(api: Api):
    w = build_world(api)
    r = api.call("GET", "/api/v1/sync/pull?limit=5000", w.headers["rep1"])
    assert r.status_code == 400 and r.json["details"]["field"] == "limit"
    r = api.call("GET", "/api/v1/sync/pull?cursor=abc", w.headers["rep1"])
    assert r.status_code == 400 and r.json["details"]["field"] == "cursor"
    page = api.call("GET", "/api/v1/sync/pull?limit=2", w.headers["rep1"]).json
    assert page["has_more"] and len(page["changes"]) == 2
    assert page["next_cursor"] == page["changes"][-1]["server_seq"]


def test_a_cursor_ahead_of_the_server_is_told_to_recover(api: Api):
    w = build_world(api)
    r = api.call("GET", "/api/v1/sync/pull?cursor=999999", w.headers["rep1"])
    assert r.status_code == 409 and r.json["code"] == "cursor_ahead"


def test_a_cursor_below_the_horizon_must_reset(api: Api):
    w = build_world(api)
    api.call(
        "POST",
        "/api/v1/sync/push",
        w.headers["admin1"],
        json={
            "changes": [
                {"seq": 1, "record_type": "customer", "record_id": w.customer_id, "op": "delete"}
            ]
        },
    )
    api.storage.purge_tombstones("acme", time.time() + 1)
    r = api.call("GET", "/api/v1/sync/pull?cursor=1", w.headers["rep1"])
    assert r.status_code == 410 and r.json["code"] == "reset_required"


def test_a_push_over_the_limit_is_413(api: Api):
    w = build_world(api)
    changes = [{"seq": i, "record_type": "visit"} for i in range(1, 1002)]
    r = api.call("POST", "/api/v1/sync/push", w.headers["rep1"], json={"changes": changes})
    assert r.status_code == 413 and r.json["code"] == "payload_too_large"


def test_a_manager_resolves_a_conflict_with_the_devices_value(api: Api):
    w = build_world(api)
    r = api.call(
        "POST",
        f"/api/v1/conflicts/{w.conflict_id}/resolve",
        w.headers["rep1"],
        json={"choice": "device"},
    )
    assert r.status_code == 403
    r = api.call(
        "POST",
        f"/api/v1/conflicts/{w.conflict_id}/resolve",
        w.headers["mgr1"],
        json={"choice": "device"},
    )
    assert r.status_code == 200 and r.json["status"] == "resolved"
    rec = api.storage.get_record("acme", "customer", w.customer_id)
    assert rec is not None and rec.payload["address"] == "rep"
    r = api.call(
        "POST",
        f"/api/v1/conflicts/{w.conflict_id}/resolve",
        w.headers["mgr1"],
        json={"choice": "server"},
    )
    assert r.status_code == 409


def test_an_upload_cut_anywhere_resumes_from_the_servers_offset(api: Api):
    w = build_world(api)
    data = make_jpeg(200, 150, seed=3)
    sha = hashlib.sha256(data).hexdigest()
    h = w.headers["rep1"]
    assert api.call("POST", f"/api/v1/photos/{sha}", h, json={"size": len(data)}).status_code == 201
    api.call("PATCH", f"/api/v1/photos/{sha}", {**h, "Upload-Offset": "0"}, data=data[:777])
    r = api.call("PATCH", f"/api/v1/photos/{sha}", {**h, "Upload-Offset": "0"}, data=data[:10])
    assert r.status_code == 409 and r.json["details"]["offset"] == 777
    r = api.call("HEAD", f"/api/v1/photos/{sha}", h)
    assert r.headers["Upload-Offset"] == "777" and r.headers["Upload-Length"] == str(len(data))
    r = api.call("PATCH", f"/api/v1/photos/{sha}", {**h, "Upload-Offset": "777"}, data=data[777:])
    assert r.json["complete"] is True
    assert (
        api.call("POST", f"/api/v1/photos/{sha}", h, json={"size": len(data)}).json["complete"]
        is True
    )


def test_bytes_that_do_not_match_their_hash_are_discarded(api: Api):
    w = build_world(api)
    data = make_jpeg(100, 80, seed=4)
    sha = hashlib.sha256(b"something else").hexdigest()
    h = w.headers["rep1"]
    api.call("POST", f"/api/v1/photos/{sha}", h, json={"size": len(data)})
    r = api.call("PATCH", f"/api/v1/photos/{sha}", {**h, "Upload-Offset": "0"}, data=data)
    assert r.status_code == 422 and r.json["code"] == "checksum_mismatch"
    assert api.call("GET", f"/api/v1/photos/{sha}", h).status_code == 404


def test_bytes_that_are_not_an_image_are_refused(api: Api):
    w = build_world(api)
    data = b"not an image at all" * 10
    h = w.headers["rep1"]
    sha = hashlib.sha256(data).hexdigest()
    api.call("POST", f"/api/v1/photos/{sha}", h, json={"size": len(data)})
    r = api.call("PATCH", f"/api/v1/photos/{sha}", {**h, "Upload-Offset": "0"}, data=data)
    assert r.status_code == 422 and r.json["code"] == "invalid_photo"


def test_a_photo_over_the_size_limit_is_413(api: Api):
    w = build_world(api)
    r = api.call(
        "POST", f"/api/v1/photos/{'a' * 64}", w.headers["rep1"], json={"size": 15 * 1024 * 1024 + 1}
    )
    assert r.status_code == 413


def test_gc_removes_orphan_uploads_but_keeps_referenced_photos(api: Api):
    w = build_world(api)
    from sync_server.photos import PhotoStore

    orphan = make_jpeg(64, 64, seed=9)
    upload(api, w.headers["rep1"], orphan)
    stale = "b" * 64
    api.call("POST", f"/api/v1/photos/{stale}", w.headers["rep1"], json={"size": 10})
    store = PhotoStore(api.app.config["PHOTO_DIR"])
    assert store.gc(api.storage, -1) == (1, 1)
    assert api.storage.get_upload("acme", w.photo_sha) is not None
    assert store.blob_path("acme", w.photo_sha).exists()


def test_a_pull_with_report_text_sends_each_stored_report_as_its_json_text(api: Api):
    w = build_world(api)
    as_objects = api.call("GET", "/api/v1/sync/pull?limit=2000", w.headers["rep1"]).json
    as_text = api.call("GET", "/api/v1/sync/pull?limit=2000&report=text", w.headers["rep1"]).json
    by_id = {c["record_id"]: c for c in as_objects["changes"]}
    visit = next(c for c in as_text["changes"] if c["record_id"] == w.visit_id)
    assert isinstance(visit["report"], str) and visit["report"].startswith('{"counts":')
    assert json.loads(visit["report"]) == by_id[w.visit_id]["report"]
    assert [c["record_id"] for c in as_text["changes"]] == [
        c["record_id"] for c in as_objects["changes"]
    ]
    assert all(c["payload"] == by_id[c["record_id"]]["payload"] for c in as_text["changes"])


def test_a_pull_with_an_unknown_report_format_is_refused_naming_the_field(api: Api):
    w = build_world(api)
    r = api.call("GET", "/api/v1/sync/pull?report=xml", w.headers["rep1"])
    assert r.status_code == 400
    assert r.json["code"] == "invalid_input" and r.json["details"]["field"] == "report"
