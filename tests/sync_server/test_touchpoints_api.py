"""Proposal attachments over HTTP: resumable documents, type check at the last byte, bytes only
for who can see the touchpoint; and the admin's SOP list."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_server.sync.orgdata import upsert_customers
from tests.sync_server.conftest import Api
from tests.sync_server.server_support import customer, uid

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _world(api: Api) -> tuple[dict[str, Any], dict[str, dict[str, str]], str]:
    users = api.setup_org("acme")
    api.setup_org("other")
    headers = {n: api.login("acme", n) for n in ("rep1", "rep2", "mgr1", "admin1")}
    headers["other_admin"] = api.login("other", "admin1")
    c = customer("acme")
    upsert_customers(api.storage, "acme", [(c, users["rep1"])])
    return users, headers, c.id


def upload(api: Api, headers: dict[str, str], data: bytes, chunk: int = 3000) -> Any:
    sha = hashlib.sha256(data).hexdigest()
    r = api.call("POST", f"/api/v1/attachments/{sha}", headers, json={"size": len(data)})
    assert r.status_code in (200, 201), r.json
    offset = r.json["offset"]
    while offset < len(data):
        at = {**headers, "Upload-Offset": str(offset)}
        r = api.call("PATCH", f"/api/v1/attachments/{sha}", at, data=data[offset : offset + chunk])
        if r.status_code != 200:
            return r
        offset = r.json["offset"]
    return r


def push_proposal(api: Api, headers: dict[str, str], rep_id: str, cid: str, sha: str) -> str:
    tid = uid()
    payload = {
        "id": tid, "customer_id": cid, "rep_id": rep_id, "kind": "proposal",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "attachment": {"sha256": sha, "filename": "方案.pdf", "mime": "application/pdf",
                       "size": len(PDF)},
    }  # fmt: skip
    ch = {"seq": 1, "record_type": "touchpoint", "record_id": tid, "op": "create",
          "payload": payload}  # fmt: skip
    r = api.call("POST", "/api/v1/sync/push", headers, json={"changes": [ch]})
    assert r.json["outcomes"][0]["status"] == "applied", r.json
    return tid


def test_a_pdf_uploads_in_chunks_resumes_and_is_served_to_who_sees_the_proposal(api: Api) -> None:
    users, h, cid = _world(api)
    sha = hashlib.sha256(PDF).hexdigest()
    # a cut after the first chunk: asking again answers the offset reached
    api.call("POST", f"/api/v1/attachments/{sha}", h["rep1"], json={"size": len(PDF)})
    api.call("PATCH", f"/api/v1/attachments/{sha}", {**h["rep1"], "Upload-Offset": "0"},
             data=PDF[:1000])  # fmt: skip
    r = api.call("POST", f"/api/v1/attachments/{sha}", h["rep1"], json={"size": len(PDF)})
    assert (r.status_code, r.json["offset"], r.json["complete"]) == (200, 1000, False)
    wrong = api.call("PATCH", f"/api/v1/attachments/{sha}", {**h["rep1"], "Upload-Offset": "0"},
                     data=PDF[:10])  # fmt: skip
    assert (wrong.status_code, wrong.json["code"]) == (409, "upload_offset_mismatch")
    assert upload(api, h["rep1"], PDF).json["complete"] is True
    # complete, but no touchpoint names it yet: nobody gets the bytes
    r = api.call("GET", f"/api/v1/attachments/{sha}/content", h["rep1"])
    assert r.status_code == 404
    push_proposal(api, h["rep1"], users["rep1"].id, cid, sha)
    for who in ("rep1", "mgr1", "admin1"):
        r = api.call("GET", f"/api/v1/attachments/{sha}/content", h[who])
        assert (r.status_code, r.data, r.mimetype) == (200, PDF, "application/pdf"), who
        assert r.headers["ETag"].strip('"') == sha
    for who in ("rep2", "other_admin"):
        r = api.call("GET", f"/api/v1/attachments/{sha}/content", h[who])
        assert r.status_code == 404, who
        assert PDF[:50] not in r.data


def test_a_file_that_is_no_document_is_discarded_at_the_last_byte(api: Api) -> None:
    _, h, _ = _world(api)
    exe = b"MZ\x90\x00" + b"\x00" * 2000
    r = upload(api, h["rep1"], exe)
    assert (r.status_code, r.json["code"]) == (422, "invalid_attachment")
    assert r.json["details"]["message_zh"]
    sha = hashlib.sha256(exe).hexdigest()
    assert api.call("GET", f"/api/v1/attachments/{sha}", h["rep1"]).status_code == 404


def test_an_attachment_over_the_size_limit_is_refused_up_front(api: Api) -> None:
    _, h, _ = _world(api)
    r = api.call("POST", f"/api/v1/attachments/{'a' * 64}", h["rep1"],
                 json={"size": 21 * 1024 * 1024})  # fmt: skip
    assert (r.status_code, r.json["code"], r.json["details"]["field"]) == (
        413,
        "payload_too_large",
        "size",
    )


def test_a_bad_hash_in_the_url_names_the_field(api: Api) -> None:
    _, h, _ = _world(api)
    r = api.call("POST", "/api/v1/attachments/not-a-hash", h["rep1"], json={"size": 10})
    assert (r.status_code, r.json["details"]["field"]) == (400, "sha256")


def test_the_admin_lists_stored_and_default_sops(api: Api) -> None:
    _, h, _ = _world(api)
    r = api.call("GET", "/api/v1/admin/sops", h["admin1"])
    assert r.status_code == 200
    types = [s["action_type"] for s in r.json["sops"]]
    assert types == sorted(types) and "new_product" in types
    assert set(r.json["stored"]) == set(types)  # a new organisation stores the defaults
    sop = next(s for s in r.json["sops"] if s["action_type"] == "new_product")
    roles = next(f for f in sop["result_fields"] if f["code"] == "roles_reached")
    assert roles["kind"] == "multi" and roles["choice_labels"][0]["zh"] == "采购负责人"
    assert api.call("GET", "/api/v1/admin/sops", h["rep1"]).status_code == 403
