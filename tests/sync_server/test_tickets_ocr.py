"""OCR text of ticket photos is stored on the ticket (a new version the reporter pulls),
whether the photo is uploaded before or after the ticket is pushed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sync_server.ocr import ocr_available
from sync_server.tickets_ocr import ocr_service
from tests.sync_server.conftest import Api, make_app
from tests.sync_server.server_world import upload
from tests.sync_server.test_ocr import photo_of_text
from tests.sync_server.test_tickets_world import build, ticket_payload

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ocr_available(), reason='needs the "ocr" extra'),
]


def test_ocr_text_of_ticket_photos_reaches_the_reporter(tmp_path: Path):
    app = make_app(tmp_path, OCR_ENABLED=True)
    try:
        w = build(Api(app))
        service = ocr_service(app)
        assert service is not None
        before = photo_of_text(["PRICE 128.50 YUAN"], angle=3, seed=1)
        after = photo_of_text(["集采中选价格 45.6 元"], angle=-2, seed=2)
        upload(w.api, w.headers["rep1"], before)  # uploaded before the ticket is pushed
        shas = (hashlib.sha256(before).hexdigest(), hashlib.sha256(after).hexdigest())
        payload = ticket_payload(w.users["rep1"].id, photos=shas)
        out = w.push("rep1", [{"record_type": "ticket", "record_id": payload["id"],
                               "op": "create", "payload": payload}])[0]  # fmt: skip
        assert out["status"] == "applied"
        assert service.worker.wait_idle(120)
        upload(w.api, w.headers["rep1"], after)  # uploaded after: the upload hook submits it
        assert service.worker.wait_idle(120)
        ticket = w.pull("rep1")[payload["id"]]["payload"]
        assert set(ticket["ocr_text"]) == set(shas)
        assert "128.50" in ticket["ocr_text"][shas[0]]
        assert "集采" in ticket["ocr_text"][shas[1]]
        detail = w.get("mgr1", f"/{payload['id']}").json
        assert "128.50" in detail["ocr_summary"] and "集采" in detail["ocr_summary"]
        photo = w.get("mgr1", f"/{payload['id']}/photos/{shas[1]}")
        assert photo.status_code == 200 and photo.data == after
    finally:
        app.extensions["fieldledger.storage"].close()
