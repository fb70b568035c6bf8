"""Touchpoints and the admin screens' view-models against the real server (waitress on
127.0.0.1, the ``seed-demo`` organisation) with real device stores and the real sync engine.

A rep logs an inquiry and a proposal with a PDF offline -> a sync attempt fails -> online the
sync pushes both, uploads the PDF through the attachment path, and the server holds each
touchpoint exactly once (a re-queued push after a "restore" adds nothing) and counts them.
An admin then changes thresholds, an SOP, materials, users and devices through the view-models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.localdb import touchpoints as tpdb
from client.localdb.store import LocalStore
from client.sync.admin_api import AdminApi
from client.sync.api import SyncErrorKind
from client.sync.engine import SyncEngine, engine_for
from client.sync.retry import RetryPolicy
from client.sync.session import TOKEN_KEY, login
from client.sync.transport import HttpTransport
from client.viewmodels.admin import SopAdminVM, ThresholdsVM
from client.viewmodels.admin_people import MaterialsVM, UsersVM
from client.viewmodels.touchpoints import ContactsVM, LogTouchpointVM
from shared.targets import business_metrics
from sync_server import create_app
from sync_server.seed import DEMO_PASSWORD
from sync_server.storage.base import StorageBase
from sync_server.targets_facts import load_facts
from tests.sim.harness import LiveServer, server_config

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 300 + b"\n%%EOF\n"  # ~77 KB: several chunks


class Demo:
    def __init__(self, server: LiveServer, storage: StorageBase, org_id: str) -> None:
        self.server, self.storage, self.org_id = server, storage, org_id


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    app = create_app(server_config(tmp_path / "server", OCR_ENABLED=False))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    storage: StorageBase = app.extensions["fieldledger.storage"]
    org_id = storage.find_user("demo", "rep1").org_id  # type: ignore[union-attr]
    server = LiveServer(app)
    try:
        yield Demo(server, storage, org_id)
    finally:
        server.stop()


def device(demo: Demo, path: Path, username: str) -> LocalStore:
    store = LocalStore.open(path)
    login(store, demo.server.url, "demo", username, DEMO_PASSWORD)
    return store


def sync(store: LocalStore) -> None:
    result = engine_for(store, chunk_size=16 * 1024).sync()
    assert result.error is None, result.error
    assert result.rejected == 0


def server_touchpoints(demo: Demo) -> list[str]:
    rows = demo.storage._all(  # type: ignore[attr-defined]
        "SELECT record_id FROM records WHERE org_id = %s AND record_type = 'touchpoint'",
        (demo.org_id,),
    )
    return sorted(r[0] for r in rows)


def test_touchpoints_logged_offline_reach_the_server_once_with_their_document(
    demo: Demo, tmp_path: Path
) -> None:
    rep = device(demo, tmp_path / "rep1.db", "rep1")
    sync(rep)
    user_id = demo.storage.find_user("demo", "rep1").id  # type: ignore[union-attr]
    customer = rep.list_customers(demo.org_id)[0].id

    # Offline: an inquiry, a proposal with its PDF, a contact.
    vm = LogTouchpointVM(rep, user_id, customer)
    vm.set_note("询价：新品 200 箱")
    assert vm.save(), vm.error
    vm.set_kind("proposal")
    assert not vm.save() and vm.error is not None and vm.error.key == "tp.need_file"
    assert vm.attach(PDF, "方案-2025.pdf")
    assert vm.save(), vm.error
    contacts = ContactsVM(rep, customer)
    assert contacts.add("李主任", "department_director", "设备科")
    offline = SyncEngine(
        rep,
        HttpTransport("http://127.0.0.1:9", lambda: rep.get_meta(TOKEN_KEY)),
        policy=RetryPolicy(attempts=1, budget=0),
        sleep=lambda s: None,
    )
    assert offline.sync().error.kind is SyncErrorKind.OFFLINE  # type: ignore[union-attr]
    assert [t.synced for t in vm.history()] == [False, False]
    assert tpdb.pending_attachments(rep) == [(hashlib.sha256(PDF).hexdigest(), len(PDF))]

    # Online: pushed, the PDF uploaded in chunks through the attachment path, pulled back.
    sync(rep)
    assert [t.synced for t in vm.history()] == [True, True]
    assert tpdb.pending_attachments(rep) == []
    sha = hashlib.sha256(PDF).hexdigest()
    upload = demo.storage.get_upload(demo.org_id, sha)
    assert upload is not None and upload.complete
    ids = server_touchpoints(demo)
    assert len(ids) == 2
    assert [c.contact.name for c in ContactsVM(rep, customer).rows] == ["李主任"]
    assert not ContactsVM(rep, customer).rows[0].pending

    # A "restored" server: every change is pushed again; nothing is stored twice.
    with rep.transaction() as tx:
        rep.requeue_after(0, tx=tx)
        rep.requeue_photo_uploads(tx=tx)
    sync(rep)
    assert server_touchpoints(demo) == ids
    facts = load_facts(demo.storage, demo.org_id, "Asia/Shanghai")
    day = facts.touchpoints[0].occurred_on
    metrics = business_metrics(user_id, day, day, facts.index())
    assert (metrics.inquiries, metrics.proposals) == (1, 1)

    # The manager can open the proposal's document; it is the PDF.
    mgr = device(demo, tmp_path / "mgr1.db", "mgr1")
    api = AdminApi.for_store(mgr)
    t = api.transport
    reply = t._send("GET", f"/api/v1/attachments/{sha}/content", headers=t._headers(True, None))
    assert (reply.status, reply.body) == (200, PDF)


def test_the_admin_view_models_change_the_server_and_say_so_when_offline(
    demo: Demo, tmp_path: Path
) -> None:
    admin = device(demo, tmp_path / "admin1.db", "admin1")
    factory = lambda: AdminApi.for_store(admin)  # noqa: E731

    th = ThresholdsVM(factory)
    assert th.load(), th.error
    th.set_number("radius_m", "abc")
    assert "radius_m" in th.field_errors and not th.save()
    th.set_number("radius_m", "350")
    th.set_number("stock_repurchase_target", "2.5")
    th.set_severity("time.work_hours", "warn")
    assert th.save(), th.error
    org = demo.storage.get_record(demo.org_id, "settings", "settings")
    assert org is not None and org.payload["radius_m"] == 350.0
    assert org.payload["severities"]["time.work_hours"] == "warn"
    again = ThresholdsVM(factory)
    assert again.load() and again.raw["stock_repurchase_target"] == "2.5"
    th.set_number("stock_yellow_ratio", "7")  # the server's model refuses a ratio above 1
    assert not th.save() and "stock_yellow_ratio" in th.field_errors

    sops = SopAdminVM(factory)
    assert sops.load(), sops.error
    sops.select("replenishment")
    assert not sops.add_item("photo_slots", "Bad Code", "货架", "Shelf")
    assert sops.add_item("photo_slots", "backroom", "仓库", "Backroom", required=True)
    assert sops.add_item("result_fields", "roles_met", "角色", "Roles", kind="multi",
                         choices="vp, other")  # fmt: skip
    assert sops.save(), sops.error
    stored = demo.storage.get_record(demo.org_id, "sop", "replenishment")
    assert stored is not None
    assert "backroom" in [s["code"] for s in stored.payload["photo_slots"]]
    assert stored.payload["version"] == sops.sops["replenishment"]["version"]

    mats = MaterialsVM(factory)
    assert mats.load(), mats.error
    assert not mats.upload(PDF, "pack.pdf", kind="attack_pack", title_zh="包", title_en="Pack")
    assert "industry" in mats.field_errors
    assert mats.upload(PDF, "pack.pdf", kind="attack_pack", industry="新能源",
                       title_zh="新能源攻坚包", title_en="New energy pack")  # fmt: skip
    new = next(m for m in mats.rows if m.get("industry") == "新能源")
    assert new["active"] and new["mime"] == "application/pdf"
    assert mats.retire(new["id"])
    assert not next(m for m in mats.rows if m["id"] == new["id"])["active"]

    users = UsersVM(factory)
    assert users.load(), users.error
    assert not users.create("newrep", "short", "rep")
    assert users.create("newrep", "password-123", "rep", "t-south")
    newrep = next(u for u in users.users if u["username"] == "newrep")
    assert not users.create("newrep", "password-123", "rep")  # taken: the server's words
    assert users.error is not None and users.error.zh
    assert users.reset_password(newrep["id"], "password-456")
    assert users.deactivate(newrep["id"])
    assert not next(u for u in users.users if u["id"] == newrep["id"])["active"]
    rep = device(demo, tmp_path / "rep1.db", "rep1")
    users.load()
    phone = next(d for d in users.devices if d["device_id"] == rep.device_id)
    assert users.revoke(phone["device_id"])
    assert next(d for d in users.devices if d["device_id"] == rep.device_id)["revoked"]

    # Offline: every admin view-model says so plainly and keeps what it showed.
    demo.server.stop()
    assert not users.load()
    assert users.offline and users.error is not None and users.error.key == "adm.offline"
    assert any(u["username"] == "newrep" for u in users.users)
    assert not ThresholdsVM(factory).load()
