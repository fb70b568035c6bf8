"""Through a real waitress server on 127.0.0.1 (a free port), as in production."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from waitress.server import create_server

from sync_server.runtime import WAITRESS_OPTIONS
from tests.sync_server.conftest import PW, Api, make_app
from tests.sync_server.server_support import customer, visit_payload

H = {"X-Fieldledger-Protocol": "1"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Api]]:
    app = make_app(tmp_path)
    api = Api(app)
    server = create_server(app, host="127.0.0.1", port=0, threads=4, **WAITRESS_OPTIONS)

    def run() -> None:
        # the fixture closes the listening socket to shut down: the loop then raises OSError
        with contextlib.suppress(OSError):
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", api  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(5)
        api.storage.close()


def login(base: str, username: str) -> dict[str, str]:
    r = requests.post(
        f"{base}/api/v1/auth/login",
        headers=H,
        timeout=10,
        json={"org": "acme", "username": username, "password": PW, "device_id": uuid.uuid4().hex},
    )
    r.raise_for_status()
    return {**H, "Authorization": f"Bearer {r.json()['token']}"}


def rep1_visits(api: Api, n: int) -> list[dict[str, Any]]:
    """The org with a customer of rep1's, and ``n`` visits of rep1's to it."""
    from sync_server.sync.orgdata import upsert_customers

    users = api.setup_org()
    c = customer("acme")
    upsert_customers(api.storage, "acme", [(c, users["rep1"])])
    return [visit_payload("acme", c.id, users["rep1"].id) for _ in range(n)]


def as_changes(visits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"seq": i + 1, "record_type": "visit", "record_id": v["id"], "op": "create", "payload": v}
        for i, v in enumerate(visits)
    ]


def test_push_then_pull_over_real_http(served: tuple[str, Api]):
    base, api = served
    visits = rep1_visits(api, 50)
    h = login(base, "rep1")
    changes = as_changes(visits)
    r = requests.post(f"{base}/api/v1/sync/push", headers=h, json={"changes": changes}, timeout=30)
    assert r.status_code == 200
    assert {o["status"] for o in r.json()["outcomes"]} == {"applied"}
    pulled = requests.get(
        f"{base}/api/v1/sync/pull?limit=2000", headers=login(base, "mgr1"), timeout=30
    ).json()
    assert {v["id"] for v in visits} <= {ch["record_id"] for ch in pulled["changes"]}
    assert r.headers["X-Fieldledger-Protocol"] == "1"


def test_bodies_beyond_waitress_default_buffers_go_through_whole(served: tuple[str, Api]):
    # a push over 512 KB and a pulled page over 1 MB: waitress's defaults would spool them to
    # a temporary file; the server keeps them in memory (sync_server/runtime.py) and whole
    base, api = served
    visits = rep1_visits(api, 900)
    h = login(base, "rep1")
    for v in visits:
        v["notes"] = "货架补货完成，" * 40  # ~600 bytes of notes each
    changes = as_changes(visits)
    r = requests.post(f"{base}/api/v1/sync/push", headers=h, json={"changes": changes}, timeout=60)
    assert len(r.request.body or b"") > 512 * 1024
    assert r.status_code == 200
    assert [o["status"] for o in r.json()["outcomes"]] == ["applied"] * 900
    page = requests.get(f"{base}/api/v1/sync/pull?limit=1000", headers=h, timeout=60)
    assert len(page.content) > 1024 * 1024
    pulled = {ch["record_id"]: ch for ch in page.json()["changes"]}
    assert {v["id"] for v in visits} <= set(pulled)
    assert all(pulled[v["id"]]["payload"]["notes"] == v["notes"] for v in visits)


def test_errors_over_real_http_are_json(served: tuple[str, Api]):
    base, _ = served
    r = requests.get(f"{base}/api/v1/sync/pull", timeout=10)
    assert r.status_code == 400 and r.json()["details"]["field"] == "X-Fieldledger-Protocol"
    r = requests.post(
        f"{base}/api/v1/auth/login",
        headers={**H, "Content-Type": "application/json"},
        data=b"{oops",
        timeout=10,
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
