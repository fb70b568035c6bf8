"""Login, tokens, devices, versions and JSON errors over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

from tests.sync_server.conftest import PW, Api, make_app


def test_login_returns_a_token_whose_hash_only_is_stored(api: Api):
    api.setup_org()
    r = api.call(
        "POST",
        "/api/v1/auth/login",
        json={"org": "acme", "username": "rep1", "password": PW, "device_id": "dev-00001"},
    )
    assert r.status_code == 200
    body = r.json
    assert body["token_type"] == "bearer" and body["user"]["role"] == "rep"
    assert body["expires_at"] > body["server_time"]
    assert api.storage.get_token(body["token"]) is None  # the raw token is not stored
    me = api.call("GET", "/api/v1/auth/me", {"Authorization": f"Bearer {body['token']}"})
    assert me.json["user"]["username"] == "rep1"


def test_a_wrong_password_is_refused_and_five_failures_are_rate_limited(api: Api):
    api.setup_org()
    bad = {"org": "acme", "username": "rep1", "password": "nope-nope", "device_id": "dev-00001"}
    for _ in range(5):
        r = api.call("POST", "/api/v1/auth/login", json=bad)
        assert r.status_code == 401 and r.json["code"] == "invalid_credentials"
    r = api.call("POST", "/api/v1/auth/login", json=dict(bad, password=PW))
    assert r.status_code == 429 and r.json["code"] == "rate_limited"
    assert 0 < r.json["details"]["retry_after"] <= 300
    assert r.headers["Retry-After"] == str(r.json["details"]["retry_after"])


def test_an_expired_token_answers_token_expired(tmp_path: Path):
    api = Api(make_app(tmp_path, TOKEN_TTL_DAYS=0.5 / 86400))
    api.setup_org()
    h = api.login("acme", "rep1")
    time.sleep(0.6)
    r = api.call("GET", "/api/v1/sync/hello", h)
    assert r.status_code == 401 and r.json["code"] == "token_expired"


def test_logout_revokes_the_token(api: Api):
    api.setup_org()
    h = api.login("acme", "rep1")
    assert api.call("POST", "/api/v1/auth/logout", h).status_code == 200
    r = api.call("GET", "/api/v1/auth/me", h)
    assert r.status_code == 401 and r.json["code"] == "unauthorized"


def test_a_revoked_device_is_told_so_on_every_request_and_at_login(api: Api):
    api.setup_org()
    h = api.login("acme", "rep1", device_id="phone-0001")
    admin = api.login("acme", "admin1")
    r = api.call("POST", "/api/v1/admin/devices/phone-0001/revoke", admin)
    assert r.status_code == 200
    r = api.call("GET", "/api/v1/sync/pull", h)
    assert r.status_code == 403 and r.json["code"] == "device_revoked"
    r = api.call(
        "POST",
        "/api/v1/auth/login",
        json={"org": "acme", "username": "rep1", "password": PW, "device_id": "phone-0001"},
    )
    assert r.status_code == 403 and r.json["code"] == "device_revoked"


def test_a_deactivated_user_is_locked_out(api: Api):
    users = api.setup_org()
    h = api.login("acme", "rep1")
    admin = api.login("acme", "admin1")
    api.call("POST", f"/api/v1/admin/users/{users['rep1'].id}/deactivate", admin)
    assert api.call("GET", "/api/v1/auth/me", h).status_code == 401
    r = api.call(
        "POST",
        "/api/v1/auth/login",
        json={"org": "acme", "username": "rep1", "password": PW, "device_id": "dev-00002"},
    )
    assert r.status_code == 403 and r.json["code"] == "account_disabled"


def test_a_missing_protocol_header_is_invalid_input_naming_it(api: Api):
    r = api.client.post("/api/v1/auth/login", json={})
    assert r.status_code == 400 and r.json["details"]["field"] == "X-Fieldledger-Protocol"


def test_an_unsupported_version_answers_426(api: Api):
    r = api.call("GET", "/api/v1/sync/hello", {"X-Fieldledger-Protocol": "0"})
    assert r.status_code == 426 and r.json["code"] == "version_not_supported"
    assert r.json["details"]["supported_protocols"] == [1]
    r = api.call("GET", "/api/v1/sync/hello", {"X-Fieldledger-Schema": "99"})
    assert r.status_code == 426


def test_every_failure_is_json_with_code_message_details(api: Api):
    cases = [
        (api.call("GET", "/nope"), 404, "not_found"),
        (api.call("DELETE", "/api/v1/sync/push"), 405, "method_not_allowed"),
        (
            api.call(
                "POST", "/api/v1/auth/login", data="{bad json", content_type="application/json"
            ),
            400,
            "invalid_input",
        ),
        (api.call("GET", "/api/v1/sync/hello"), 401, "unauthorized"),
    ]
    for resp, status, code in cases:
        assert resp.status_code == status
        assert resp.is_json and set(resp.json) == {"code", "message", "details"}
        assert resp.json["code"] == code


def test_an_unexpected_exception_is_a_json_500_without_traceback(tmp_path: Path):
    app = make_app(tmp_path)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = app.test_client().get("/boom")
    assert r.status_code == 500 and r.json["code"] == "internal_error"
    assert "secret internals" not in r.get_data(as_text=True)
    app.extensions["fieldledger.storage"].close()


def test_a_login_body_with_a_bad_field_names_it(api: Api):
    r = api.call(
        "POST",
        "/api/v1/auth/login",
        json={"org": "acme", "username": "rep1", "password": "x", "device_id": "short"},
    )
    assert r.status_code == 400 and r.json["details"]["field"] == "device_id"


def test_a_pull_reads_its_token_once_and_a_new_request_reads_it_again(api: Api):
    api.setup_org()
    headers = api.login("acme", "rep1")
    storage = api.storage
    reads: list[str] = []
    real_get_token = storage.get_token

    def counting_get_token(hashed: str):  # type: ignore[no-untyped-def]
        reads.append(hashed)
        return real_get_token(hashed)

    storage.get_token = counting_get_token  # the real storage, its reads counted
    try:
        r = api.call("GET", "/api/v1/sync/pull?cursor=1&limit=10", headers)
        assert r.status_code == 200
        assert len(reads) == 1  # the delivery hook's and the view's authentication are one
        api.call("POST", "/api/v1/auth/logout", headers)
        r = api.call("GET", "/api/v1/sync/pull?cursor=1&limit=10", headers)
        assert r.status_code == 401 and r.json["code"] == "unauthorized"  # not remembered
    finally:
        del storage.get_token
