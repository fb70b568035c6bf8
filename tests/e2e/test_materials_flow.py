"""Issue 5 end to end, without a browser: pushed materials arrive on a device through sync and
open offline.

The real server (waitress on 127.0.0.1, organisation seeded by ``seed-demo``, which uploads the
community-health attack pack 社区医疗竞品攻坚包) gets a new-industry customer of rep1 first
visited 80 days ago and never ordered; a forced evaluation fires the attack pack for rep1. rep1's
device syncs through the real engine, and the post-sync hook the app's SyncVM runs downloads the
pack's bytes into ``<db>.materials/``. Then the server is stopped: "My goals" still lists the
delivery, the bytes open from the device folder and hash to the listed SHA-256. The manager's
exports work online and say plainly that they need a connection once the server is gone.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.materials import MaterialCache, fetch_after_sync, materials_dir
from client.sync.engine import engine_for
from client.sync.session import login
from client.sync.targets_api import TargetsApi
from client.viewmodels.sync import SyncVM
from client.viewmodels.targets import MyGoalsVM
from client.viewmodels.targets_board import ExportVM, TeamBoardVM
from shared.changes import RecordType
from shared.customers import Customer
from sync_server import create_app
from sync_server.seed import DEMO_PASSWORD
from sync_server.storage.base import StorageBase, StoredRecord
from sync_server.sync.orgdata import upsert_customers
from sync_server.targets_engine import evaluate_org
from tests.sim.harness import LiveServer, server_config

PACK_ID = "pack-community-health"  # sync_server/targets_seed.py


@dataclass
class Demo:
    server: LiveServer
    storage: StorageBase
    org_id: str
    users: dict[str, object]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    app = create_app(server_config(tmp_path / "server", OCR_ENABLED=False,
                                   TARGETS_SCHEDULER=False))  # fmt: skip
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    storage: StorageBase = app.extensions["fieldledger.storage"]
    users = {n: storage.find_user("demo", n) for n in ("rep1", "mgr1")}
    org_id = users["rep1"].org_id  # type: ignore[union-attr]
    server = LiveServer(app)
    try:
        yield Demo(server, storage, org_id, users)  # type: ignore[arg-type]
    finally:
        server.stop()


def breach(demo: Demo) -> None:
    """A 社区医疗 new-industry customer of rep1, first visited 80 days ago, never ordered."""
    rep = demo.users["rep1"]
    clinic = Customer.model_validate({
        "id": "clinic01", "org_id": demo.org_id, "name": "桃源社区卫生服务站",
        "address": "南山区桃源街道", "lat": 22.56, "lon": 113.95, "district": "南山区",
        "industry": "社区医疗", "new_industry": True,
    })  # fmt: skip
    upsert_customers(demo.storage, demo.org_id, [(clinic, rep)])  # type: ignore[list-item]
    when = (datetime.now(UTC) - timedelta(days=80)).replace(hour=2, minute=0, microsecond=0)
    vid = uuid.uuid4().hex
    with demo.storage.write(demo.org_id) as tx:
        tx.put_records([StoredRecord(
            org_id=demo.org_id, record_type="visit", record_id=vid, version=1,
            server_seq=tx.next_seq(),
            payload={"id": vid, "org_id": demo.org_id, "customer_id": "clinic01",
                     "rep_id": rep.id, "action_type": "replenishment",  # type: ignore[attr-defined]
                     "result": {}, "device_time": when.isoformat()},
            owner_user_id=rep.id, team_id=rep.team_id,  # type: ignore[attr-defined]
            report={"counts": True, "visit_time": when.isoformat(), "results": []},
            updated_at=time.time(),
        )])  # fmt: skip
    evaluate_org(demo.storage, demo.org_id, force=True)


def device(demo: Demo, path: Path, username: str) -> LocalStore:
    store = LocalStore.open(path)
    login(store, demo.server.url, "demo", username, DEMO_PASSWORD)
    return store


def sync_like_the_app(store: LocalStore) -> None:
    """What the shell does: SyncVM.run with the post-sync materials hook."""
    vm = SyncVM(store, engine_for(store), after_sync=lambda _r: fetch_after_sync(store))
    result = vm.run()
    assert result is not None and result.error is None, result and result.error


def test_an_attack_pack_arrives_through_sync_and_opens_offline(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breach(demo)
    rep = device(demo, tmp_path / "rep1" / "local.db", "rep1")
    sync_like_the_app(rep)
    deliveries = rep.pulled_records(RecordType.MATERIAL_DELIVERY.value)
    packs = [p for _id, _v, p in deliveries if p["kind"] == "attack_pack"]
    assert len(packs) == 1 and packs[0]["industry"] == "社区医疗"
    assert packs[0]["customer_ids"] == ["clinic01"]
    [material] = [m for m in packs[0]["materials"] if m["id"] == PACK_ID]
    sha = material["sha256"]
    blob = materials_dir(rep) / sha[:2] / sha
    assert blob.is_file()  # downloaded by the post-sync hook, beside the database

    demo.server.stop()  # offline from here on

    vm = MyGoalsVM(rep, demo.org_id, demo.users["rep1"].id,  # type: ignore[attr-defined]
                   MaterialCache.for_store(rep))  # fmt: skip
    vm.load()
    assert vm.increment is not None and vm.increment.light in ("yellow", "red")
    assert any("桃源社区卫生服务站" in m.text("zh") and "竞品攻坚包" in m.text("zh")
               for m in vm.next_steps)  # fmt: skip
    [shown] = [m for d in vm.deliveries for m in d.materials if m.ref.sha256 == sha]
    assert shown.on_device
    opened = vm.open_material(sha)
    assert opened is not None, vm.error
    data = opened.path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha
    assert opened.text is not None and opened.text.startswith("社区医疗竞品攻坚包 / Community")
    # a later sync attempt while offline loses nothing: the bytes stay
    assert fetch_after_sync(rep).already >= 1 and blob.is_file()
    rep.close()


def test_the_manager_board_and_exports_online_then_offline(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breach(demo)
    mgr = device(demo, tmp_path / "mgr1" / "local.db", "mgr1")
    sync_like_the_app(mgr)
    board = TeamBoardVM(mgr)
    board.load()
    assert sorted(r.rep_name for r in board.rows) == ["rep1", "rep2"]
    export = ExportVM(lambda: TargetsApi.for_store(mgr), tmp_path / "Documents")
    saved = export.board_xlsx(board.latest_month_end)
    assert saved is not None and saved.read_bytes()[:2] == b"PK", export.error
    pdf = export.district_pdf("南山区", "2025Q1")
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-", export.error
    demo.server.stop()
    assert export.board_xlsx(board.latest_month_end) is None
    assert export.error is not None and "需要联网" in export.error.text("zh")
    board.load()  # the board itself still shows offline
    assert len(board.rows) == 2
    mgr.close()
