"""Issue 6 end to end, without a browser: the real server (waitress on 127.0.0.1, organisation
seeded by the ``seed-demo`` command), real device stores and the real sync engine over HTTP.

A rep reports offline with 2 photos -> syncs -> the standard answer of the known root cause
arrives -> the rep's device shows it after the sync -> the server's metric has the hours
(delivered_at set, the board counts it). A second ticket with an unknown root cause is routed
to mgr1, who answers over REST; the rep's device shows it after the next sync. A third reports
with one video offline; after the sync the server holds the verified video blob on the ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.api import SyncErrorKind
from client.sync.engine import SyncEngine, engine_for
from client.sync.retry import RetryPolicy
from client.sync.session import TOKEN_KEY, login
from client.sync.tickets_api import TicketsApi
from client.sync.transport import HttpTransport
from client.viewmodels.tickets import ReportTicketVM
from client.viewmodels.tickets_list import MyTicketsVM, TicketDetailVM
from client.viewmodels.tickets_manager import BoardVM, TriageVM, user_role
from sync_server import create_app
from sync_server.seed import DEMO_PASSWORD
from sync_server.storage.base import StorageBase
from tests.sim.harness import LiveServer, server_config
from tests.support.photos import make_jpeg
from tests.support.videos import make_mp4

PRICE_CAP = "policy.vbp_pricing.price_cap"  # the demo organisation has a script for it


@dataclass
class Demo:
    server: LiveServer
    storage: StorageBase
    org_id: str
    users: dict[str, str]  # username -> user id


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    # OCR off: it runs in a background worker and would add versions at its own pace; it has
    # its own tests (tests/sync_server/test_tickets_ocr.py).
    app = create_app(server_config(tmp_path / "server", OCR_ENABLED=False))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    storage: StorageBase = app.extensions["fieldledger.storage"]
    users = {}
    for name in ("rep1", "mgr1"):
        user = storage.find_user("demo", name)
        assert user is not None
        users[name] = user.id
    org_id = storage.find_user("demo", "rep1").org_id  # type: ignore[union-attr]
    server = LiveServer(app)
    try:
        yield Demo(server, storage, org_id, users)
    finally:
        server.stop()


def device(demo: Demo, path: Path, username: str) -> LocalStore:
    store = LocalStore.open(path)
    login(store, demo.server.url, "demo", username, DEMO_PASSWORD)
    return store


def sync(store: LocalStore) -> None:
    result = engine_for(store).sync()
    assert result.error is None, result.error
    assert result.rejected == 0


def report(store: LocalStore, org_id: str, rep_id: str, *, cause: str | None, text: str,
           photos: int) -> str:  # fmt: skip
    vm = ReportTicketVM(store, org_id, rep_id, "zh", customer_id="store01")
    vm.set_type("policy")
    if cause is not None:
        vm.set_family(cause.rsplit(".", 1)[0])
        vm.set_cause(cause)
    vm.text = text
    for i in range(photos):
        assert vm.add_photo(make_jpeg(800, 600, seed=40 + i)), vm.photo_error
    ticket = vm.submit()
    assert ticket is not None, vm.error
    return ticket.id


def test_a_rep_reports_offline_and_holds_the_answer_after_sync_with_the_hours_recorded(
    demo: Demo, tmp_path: Path
) -> None:
    rep = device(demo, tmp_path / "rep1.db", "rep1")
    mgr = device(demo, tmp_path / "mgr1.db", "mgr1")
    assert user_role(mgr) == "manager" and user_role(rep) == "rep"
    sync(rep)  # customers and the ticket configuration arrive
    assert {rid for rid, _, _ in rep.pulled_records("answer_script")} >= {"kb-price-cap"}

    # Offline: the report is saved on the phone; a sync attempt cannot reach the server.
    tid = report(rep, demo.org_id, demo.users["rep1"], cause=PRICE_CAP, photos=2,
                 text="集采最高有效申报价低于我方报价，医院要求降价")  # fmt: skip
    assert rep.pending_counts() == {"visits": 0, "photos": 2, "outbox": 1}
    offline = SyncEngine(
        rep, HttpTransport("http://127.0.0.1:9", lambda: rep.get_meta(TOKEN_KEY)),
        policy=RetryPolicy(attempts=1, budget=0), sleep=lambda s: None,
    )  # fmt: skip
    assert offline.sync().error.kind is SyncErrorKind.OFFLINE  # type: ignore[union-attr]
    assert rep.pending_counts()["outbox"] == 1
    mine = MyTicketsVM(rep, demo.users["rep1"])
    mine.load()
    assert [r.state_key for r in mine.rows] == ["tk.state.unsent"]

    # Online: push, photos, pull; the standard answer comes back in the same sync.
    sync(rep)
    assert rep.pending_counts() == {"visits": 0, "photos": 0, "outbox": 0}
    detail = TicketDetailVM(rep, tid, demo.users["rep1"], "zh")
    detail.load()
    assert detail.ticket.state.value == "answered"
    [answer] = detail.answers()
    assert answer.automatic and "最高有效申报价" in answer.text
    assert [d.title for d in answer.documents] == ["集采报价规则"]
    assert detail.ticket.delivered_at is not None  # confirmed by the engine's extra pull
    assert detail.answer_hours is not None and 0 <= detail.answer_hours < 1
    assert [e.thumbnail is not None for e in detail.evidence()] == [True, True]

    # Both photos reached the server, verified by hash, linked to the ticket.
    for sha in detail.ticket.evidence.photos:
        upload = demo.storage.get_upload(demo.org_id, sha)
        assert upload is not None and upload.complete

    # The server's metric: delivered, and the manager's board counts it.
    server_rec = demo.storage.get_record(demo.org_id, "ticket", tid)
    assert server_rec is not None and server_rec.payload["delivered_at"] is not None
    board = BoardVM(lambda: TicketsApi.for_store(mgr), by="type")
    assert board.load(), board.error
    policy = next(ln for ln in board.lines if ln.key == "policy")
    assert policy.delivered == 1 and policy.median_hours is not None

    # The policy document opens on the phone and stays there.
    assert detail.open_document(answer.documents[0].sha256) is False  # no API given: offline
    detail.api_factory = lambda: TicketsApi.for_store(rep)
    assert detail.open_document(answer.documents[0].sha256)
    assert "集采报价规则" in detail.document_text[answer.documents[0].sha256]


def test_an_unknown_root_cause_goes_to_the_manager_whose_answer_reaches_the_rep(
    demo: Demo, tmp_path: Path
) -> None:
    rep = device(demo, tmp_path / "rep1.db", "rep1")
    mgr = device(demo, tmp_path / "mgr1.db", "mgr1")
    sync(rep)
    tid = report(rep, demo.org_id, demo.users["rep1"], cause=None, photos=2,
                 text="医院说今年的挂网政策有变化，但说不清是哪一条")  # fmt: skip
    sync(rep)
    detail = TicketDetailVM(rep, tid, demo.users["rep1"], "zh")
    detail.load()
    t = detail.ticket
    assert t.state.value == "triaged" and t.owner_id == demo.users["mgr1"]
    assert t.deadline is not None and detail.answers() == []
    for sha in t.evidence.photos:
        upload = demo.storage.get_upload(demo.org_id, sha)
        assert upload is not None and upload.complete

    # The rep adds a comment offline; it goes with the next sync.
    detail.comment_text = "客户下周一前需要答复"
    assert detail.add_comment()
    assert [c.pending for c in detail.comments()] == [True]

    triage = TriageVM(lambda: TicketsApi.for_store(mgr))
    assert triage.load(), triage.error
    assert tid in [r["id"] for r in triage.rows]
    assert triage.answer(tid, "这是省级挂网窗口期的调整：请先登记医院需求，下一窗口期见附件。")
    assert tid not in [r["id"] for r in triage.rows]  # answered: out of the queue

    sync(rep)
    detail.load()
    assert detail.ticket.state.value == "answered"
    [answer] = detail.answers()
    assert not answer.automatic and "挂网窗口期" in answer.text
    assert detail.ticket.delivered_at is not None and detail.answer_hours is not None
    assert [(c.text, c.pending) for c in detail.comments()] == [("客户下周一前需要答复", False)]

    # The answer worked: the rep resolves it from the phone.
    assert detail.can_react_to_answer and detail.resolve()
    sync(rep)
    detail.load()
    assert detail.ticket.state.value == "resolved" and detail.pending_state() is None
    board = BoardVM(lambda: TicketsApi.for_store(mgr), by="owner")
    assert board.load()
    assert {ln.key: ln.delivered for ln in board.lines} == {demo.users["mgr1"]: 1}


def test_a_rep_reports_with_one_video_offline_and_the_server_holds_the_verified_blob(
    demo: Demo, tmp_path: Path
) -> None:
    import hashlib

    from sync_server.photos import PhotoStore

    rep = device(demo, tmp_path / "rep1.db", "rep1")
    sync(rep)
    vm = ReportTicketVM(rep, demo.org_id, demo.users["rep1"], "zh", customer_id="store01")
    vm.set_type("competitor")
    vm.text = "竞品在药房做买断陈列，附现场视频"
    video = make_mp4(14.0, media_bytes=200_000, seed=3)  # several chunks of the engine's uploads
    assert vm.add_video(video), vm.photo_error
    ticket = vm.submit()
    assert ticket is not None, vm.error
    assert rep.pending_counts() == {"visits": 0, "photos": 1, "outbox": 1}
    offline = SyncEngine(
        rep, HttpTransport("http://127.0.0.1:9", lambda: rep.get_meta(TOKEN_KEY)),
        policy=RetryPolicy(attempts=1, budget=0), sleep=lambda s: None,
    )  # fmt: skip
    assert offline.sync().error.kind is SyncErrorKind.OFFLINE  # type: ignore[union-attr]

    sync(rep)
    assert rep.pending_counts() == {"visits": 0, "photos": 0, "outbox": 0}
    sha = hashlib.sha256(video).hexdigest()
    upload = demo.storage.get_upload(demo.org_id, sha)
    assert upload is not None and upload.complete and upload.size == len(video)
    blob = PhotoStore(demo.server.app.config["PHOTO_DIR"]).blob_path(demo.org_id, sha)
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha
    server_rec = demo.storage.get_record(demo.org_id, "ticket", ticket.id)
    assert server_rec is not None
    assert server_rec.payload["evidence"]["video"] == {
        "sha256": sha, "size_bytes": len(video), "duration_s": 14.0, "mime": "video/mp4"
    }  # fmt: skip
    detail = TicketDetailVM(rep, ticket.id, demo.users["rep1"], "zh")
    detail.load()
    assert detail.ticket.state.value in ("triaged", "reported") and detail.video is not None
    served = TicketsApi.for_store(rep).photo(ticket.id, sha)
    assert served == video
