"""The documented fallback: an HTTP status without a code of its own answers ``http_error``.

docs/errors.md: ``http_error`` | other | any other HTTP status raised by the framework. The
routes below are added to the real app (``create_app``) and raise what Flask/werkzeug raise.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask, abort
from waitress.server import create_server
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable

from tests.sync_server.conftest import make_app

H = {"X-Fieldledger-Protocol": "1"}


def _with_raising_routes(app: Flask) -> Flask:
    @app.get("/api/v1/_test/abort/<int:status>")
    def _abort(status: int) -> None:
        abort(status)

    @app.get("/api/v1/_test/range")
    def _range() -> None:
        raise RequestedRangeNotSatisfiable(length=10)

    @app.get("/api/v1/_test/custom")
    def _custom() -> None:
        class Unusual(HTTPException):
            code = 420
            description = "enhance your calm"

        raise Unusual()

    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    a = _with_raising_routes(make_app(tmp_path))
    yield a
    a.extensions["fieldledger.storage"].close()


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (408, "Request Timeout"),
        (418, "I'm a teapot"),
        (422, "Unprocessable Entity"),
        (501, "Not Implemented"),
        (503, "Service Unavailable"),
    ],
)
def test_a_status_without_its_own_code_answers_http_error_with_its_status(
    app: Flask, status: int, name: str
):
    r = app.test_client().get(f"/api/v1/_test/abort/{status}", headers=H)
    assert r.status_code == status
    assert r.is_json
    assert r.json == {"code": "http_error", "message": name, "details": {"message_zh": "请求失败"}}


def test_a_status_werkzeug_does_not_know_still_answers_json(app: Flask):
    r = app.test_client().get("/api/v1/_test/custom", headers=H)
    assert r.status_code == 420
    assert r.json["code"] == "http_error"
    assert r.json["details"]["message_zh"] == "请求失败"
    assert b"<html" not in r.data.lower()


def test_a_range_error_is_http_error_and_statuses_with_a_code_keep_theirs(app: Flask):
    client = app.test_client()
    r = client.get("/api/v1/_test/range", headers=H)
    assert (r.status_code, r.json["code"]) == (416, "http_error")
    # the mapped statuses keep their own codes (the fallback is only for the others)
    for status, code in [
        (404, "not_found"),
        (405, "method_not_allowed"),
        (413, "payload_too_large"),
    ]:
        r = client.get(f"/api/v1/_test/abort/{status}", headers=H)
        assert (r.status_code, r.json["code"]) == (status, code)


def test_http_error_over_real_http_through_waitress(app: Flask):
    server = create_server(app, host="127.0.0.1", port=0, threads=2)

    def run() -> None:
        with contextlib.suppress(OSError):  # closing the socket ends the loop
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
        r = requests.get(f"{base}/api/v1/_test/abort/503", headers=H, timeout=10)
        assert r.status_code == 503
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["code"] == "http_error"
        assert r.headers["X-Fieldledger-Protocol"] == "1"
    finally:
        server.close()
        thread.join(5)
