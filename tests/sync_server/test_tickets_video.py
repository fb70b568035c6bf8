"""A ticket's evidence video through the resumable photo uploads: verified by hash, container and
duration against the organisation's ticket settings (docs/tickets.md, "Video evidence")."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tests.support.photos import make_jpeg
from tests.support.videos import make_mp4, make_webm
from tests.sync_server.test_tickets_world import (
    TicketWorld,
    ticket_payload,
    tworld_fixture,  # noqa: F401  (the tworld fixture)
)

UPLOADS = "/api/v1/photos"


def create(w: TicketWorld, data: bytes, kind: str | None = "video", who: str = "rep1") -> Any:
    body: dict[str, Any] = {"size": len(data)}
    if kind:
        body["kind"] = kind
    sha = hashlib.sha256(data).hexdigest()
    return w.api.call("POST", f"{UPLOADS}/{sha}", w.headers[who], json=body)


def send(w: TicketWorld, data: bytes, offset: int, end: int, who: str = "rep1") -> Any:
    sha = hashlib.sha256(data).hexdigest()
    headers = {**w.headers[who], "Upload-Offset": str(offset)}
    return w.api.call("PATCH", f"{UPLOADS}/{sha}", headers, data=data[offset:end])


def upload(w: TicketWorld, data: bytes, kind: str | None = "video") -> Any:
    r = create(w, data, kind)
    assert r.status_code in (200, 201), r.json
    return send(w, data, r.json["offset"], len(data))


def settings(w: TicketWorld, **limits: Any) -> None:
    r = w.api.call("PUT", "/api/v1/tickets/config/settings", w.headers["admin1"], json=limits)
    assert r.status_code == 200, r.json


def video_ticket(w: TicketWorld, data: bytes, duration_s: float, **over: Any) -> dict[str, Any]:
    payload = ticket_payload(w.users["rep1"].id, root=None, text="竞品现场演示视频")
    video = {"sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
             "duration_s": duration_s, "mime": "video/mp4", **over}  # fmt: skip
    payload["evidence"] = {"video": video}
    return payload


def test_a_reported_video_uploads_like_a_photo_and_is_served_as_video(tworld: TicketWorld):
    w = tworld
    data = make_mp4(8.0, media_bytes=9000)
    payload = video_ticket(w, data, 8.0)
    out = w.push("rep1", [{"record_type": "ticket", "record_id": payload["id"], "op": "create",
                           "payload": payload}])[0]  # fmt: skip
    assert out["status"] == "applied", out
    # The device's engine sends only {"size"}: the ticket's reference makes it a video upload.
    r = upload(w, data, kind=None)
    assert r.status_code == 200 and r.json["complete"], r.json
    sha = payload["evidence"]["video"]["sha256"]
    got = w.api.call("GET", f"/api/v1/tickets/{payload['id']}/photos/{sha}", w.headers["mgr1"])
    assert got.status_code == 200 and got.mimetype == "video/mp4" and got.data == data
    assert w.pull("rep1")[payload["id"]]["payload"]["evidence"]["video"]["duration_s"] == 8.0
    stale = w.api.storage.unreferenced_uploads(time.time() + 3600)
    assert sha not in {row.sha256 for row in stale}  # linked to the ticket: never collected


def test_a_video_longer_than_the_setting_is_refused_naming_duration_and_discarded(
    tworld: TicketWorld,
):
    w = tworld
    settings(w, video_max_duration_s=10)
    data = make_mp4(30.0)
    r = upload(w, data)
    assert r.status_code == 422, r.json
    assert r.json["code"] == "invalid_video"
    assert r.json["details"]["field"] == "evidence.video.duration_s"
    assert "at most 10 s" in r.json["message"]
    sha = hashlib.sha256(data).hexdigest()
    assert w.api.call("GET", f"{UPLOADS}/{sha}", w.headers["rep1"]).status_code == 404
    assert upload(w, make_mp4(9.5)).json["complete"]


def test_a_video_over_the_byte_limit_is_refused_at_creation_and_at_completion(
    tworld: TicketWorld,
):
    w = tworld
    settings(w, video_max_bytes=2000)
    big = make_mp4(5.0, media_bytes=3000)
    r = create(w, big)
    assert r.status_code == 413, r.json
    assert r.json["details"]["field"] == "size" and "video_max_bytes" in r.json["message"]
    # Within the limit when created; the admin lowers it before the last byte arrives.
    data = make_mp4(5.0, media_bytes=1200)
    assert create(w, data).status_code == 201
    settings(w, video_max_bytes=1000)
    r = send(w, data, 0, len(data))
    assert r.status_code == 422 and r.json["details"]["field"] == "evidence.video.size_bytes"


def test_a_cut_video_upload_resumes_at_the_servers_offset(tworld: TicketWorld):
    w = tworld
    data = make_mp4(6.0, media_bytes=20_000, seed=7)
    assert create(w, data).status_code == 201
    half = len(data) // 2
    assert send(w, data, 0, half).json["offset"] == half
    assert send(w, data, 0, 100).status_code == 409  # a stale offset: told where it is
    sha = hashlib.sha256(data).hexdigest()
    status = w.api.call("GET", f"{UPLOADS}/{sha}", w.headers["rep1"]).json
    assert status == {"sha256": sha, "size": len(data), "offset": half, "complete": False}
    r = send(w, data, half, len(data))
    assert r.status_code == 200 and r.json["complete"]
    assert upload(w, make_webm(6.0)).json["complete"]


def test_a_non_video_is_refused_as_a_video_and_a_video_is_not_a_photo(tworld: TicketWorld):
    w = tworld
    r = upload(w, make_jpeg(320, 240, seed=2))
    assert r.status_code == 422 and r.json["code"] == "invalid_video"
    assert r.json["details"]["field"] == "video"
    r = upload(w, make_webm(None))
    assert r.status_code == 422 and "without a recorded duration" in r.json["message"]
    r = upload(w, make_mp4(4.0), kind=None)  # declared a photo: the photo path, unchanged
    assert r.status_code == 422 and r.json["code"] == "invalid_photo"


def test_a_pushed_ticket_declaring_a_video_over_the_limits_is_rejected_naming_it(
    tworld: TicketWorld,
):
    w = tworld
    data = make_mp4(90.0)
    payload = video_ticket(w, data, 90.0)
    out = w.push("rep1", [{"record_type": "ticket", "record_id": payload["id"], "op": "create",
                           "payload": payload}])[0]  # fmt: skip
    assert out["status"] == "rejected", out
    assert out["details"]["field"] == "evidence.video.duration_s"
