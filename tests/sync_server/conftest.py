"""Fixtures: a storage of each backend, a real PostgreSQL (local server or throwaway cluster)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sync_server.storage.base import StorageBase
from sync_server.storage.postgres import PostgresStorage
from sync_server.storage.sqlite import SqliteStorage

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str | None]:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins or os.geteuid() == 0:
        yield None
        return
    bindir = Path(bins[-1]).parent
    tmp = tempfile.mkdtemp(prefix="fl-pg-")
    port = _free_port()
    try:
        subprocess.run(
            [bindir / "initdb", "-D", tmp, "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [bindir / "pg_ctl", "-D", tmp, "-o", f"-p {port} -k {tmp} -h 127.0.0.1", "-w", "start"],
            check=True,
            capture_output=True,
        )
        dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        yield dsn
    finally:
        subprocess.run(
            [bindir / "pg_ctl", "-D", tmp, "-m", "fast", "stop"], check=False, capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    dsn = os.environ.get("FIELDLEDGER_TEST_PG", LOCAL_DSN)
    if _reachable(dsn):
        yield dsn
        return
    with _throwaway_cluster() as throwaway:
        if throwaway is not None and _reachable(throwaway):
            yield throwaway
            return
        reason = (
            f"PostgreSQL unreachable at {dsn} and no throwaway cluster could be started "
            "(/usr/lib/postgresql/*/bin/initdb): PostgreSQL tests NOT RUN"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@contextlib.contextmanager
def pg_schema_storage(dsn: str) -> Iterator[PostgresStorage]:
    schema = "fl_" + uuid.uuid4().hex[:12]
    storage = PostgresStorage(dsn, schema=schema)
    try:
        storage.migrate()
        yield storage
    finally:
        storage.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StorageBase]:
    if request.param == "sqlite":
        s = SqliteStorage(tmp_path / "server.db")
        s.migrate()
        yield s
        s.close()
    else:
        dsn = request.getfixturevalue("pg_dsn")
        with pg_schema_storage(dsn) as s:
            yield s


@pytest.fixture
def wait_until() -> object:
    def _wait(pred: object, timeout: float = 5.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():  # type: ignore[operator]
                return True
            time.sleep(0.01)
        return False

    return _wait


# --- HTTP fixtures --------------------------------------------------------------------------
from typing import Any  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from sync_server.app import create_app  # noqa: E402

FAST_ARGON = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024}
PW = "secret-pass-1"


def make_app(tmp_path: Path, **over: Any) -> Flask:
    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
        "PHOTO_DIR": str(tmp_path / "photos"),
        "TESTING": True,
        "TARGETS_SCHEDULER": False,  # tests that want the scheduler turn it on
        **FAST_ARGON,
        **over,
    }
    return create_app(config)


class Api:
    """A test client that speaks the protocol: version header and bearer tokens."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.storage = app.extensions["fieldledger.storage"]

    def setup_org(self, org_id: str = "acme") -> dict[str, Any]:
        from sync_server import admin_ops

        admin_ops.create_org(self.storage, org_id, org_id)
        users = {}
        for name, role, team in [
            ("rep1", "rep", "t1"),
            ("rep2", "rep", "t1"),
            ("rep3", "rep", "t2"),
            ("mgr1", "manager", "t1"),
            ("admin1", "admin", ""),
        ]:
            users[name] = admin_ops.create_user(
                self.storage, self.app.config, org_id, name, PW, role, team
            )
        return users

    def login(self, org: str, username: str, device_id: str | None = None) -> dict[str, str]:
        r = self.call(
            "POST",
            "/api/v1/auth/login",
            json={
                "org": org,
                "username": username,
                "password": PW,
                "device_id": device_id or uuid.uuid4().hex,
                "device_name": "test phone",
            },
        )
        assert r.status_code == 200, r.json
        return {
            "Authorization": f"Bearer {r.json['token']}",
            "X-Device": r.json["device_id"],
            "X-User": r.json["user"]["id"],
        }

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        h = {"X-Fieldledger-Protocol": "1", **(headers or {})}
        return self.client.open(path, method=method, headers=h, **kw)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    app = make_app(tmp_path)
    yield Api(app)
    app.extensions["fieldledger.storage"].close()
