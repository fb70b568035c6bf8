"""My tickets, ticket detail (answers, documents, OCR, similar, comments, reopen/resolve) and
the managers' and admins' view-models: offline, and against the real server in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from client.localdb.store import LocalStore
from client.sync.engine import SyncEngine
from client.sync.session import TOKEN_KEY
from client.sync.tickets_api import TicketsApi
from client.sync.transport import HttpTransport
from client.viewmodels.tickets import ReportTicketVM, load_tree
from client.viewmodels.tickets_list import MyTicketsVM, TicketDetailVM
from client.viewmodels.tickets_manager import AdminConfigVM, BoardVM, TriageVM
from shared.changes import IncomingChange, Op, RecordType
from shared.tickets import Ticket
from sync_server import admin_ops
from sync_server.tickets_seed import seed_ticket_config
from tests.client.vm_support import ORG, seeded_store
from tests.sim.harness import PASSWORD, FlaskTransport, make_world, new_device
from tests.support.photos import make_jpeg

DOC = "a" * 64
NOW = datetime.now(UTC)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return seeded_store(tmp_path)


def reported(store: LocalStore, text: str = "集采最高有效申报价低于我方报价") -> Ticket:
    vm = ReportTicketVM(store, ORG, "rep1", customer_id="c1")
    vm.set_type("policy")
    vm.set_family("policy.vbp_pricing")
    vm.set_cause("policy.vbp_pricing.price_cap")
    vm.text = text
    assert vm.add_photo(make_jpeg(400, 300, seed=5))
    ticket = vm.submit()
    assert ticket is not None
    return ticket


def pull(store: LocalStore, seq: int, rtype: RecordType, rid: str, payload: dict[str, Any],
         report: dict[str, Any] | None = None) -> None:  # fmt: skip
    change = IncomingChange(server_seq=seq, record_type=rtype, record_id=rid, op=Op.CREATE,
                            payload=payload, report=report)  # fmt: skip
    store.apply_pulled_changes([change], org_id=ORG, cursor=seq)


def server_version(t: Ticket, **update: Any) -> dict[str, Any]:
    data = t.model_dump(mode="json")
    data.update(update)
    return data


def answered(t: Ticket) -> dict[str, Any]:
    sha = t.evidence.photos[0]
    return server_version(
        t, state="answered", resolution_path="standard_answer", version=2,
        answers=[{"id": "a1", "source": "auto", "author_id": "system", "text": "Do not quote "
                  "below the floor.", "text_zh": "不得低于公司批准底价报价。",
                  "script_id": "kb-price-cap", "documents": [DOC],
                  "created_at": (NOW - timedelta(minutes=5)).isoformat()}],
        comments=[{"id": "c1", "author_id": "mgr1", "text": "请附招标编号",
                   "created_at": (NOW - timedelta(minutes=4)).isoformat()}],
        ocr_text={sha: "最高有效申报价 12.50 元"},
    )  # fmt: skip


SIMILAR = {"similar": [{"ticket_id": "t-old", "title": "集采限价低于报价", "problem_type": "policy",
                        "root_cause_id": "policy.vbp_pricing.price_cap", "state": "resolved",
                        "score": 0.83, "cause": "same_node", "text_score": 0.5,
                        "age_days": 3.0, "answer": "按底价执行"}]}  # fmt: skip


def test_an_unsent_report_is_listed_as_waiting_then_the_pulled_version_replaces_it(
    store: LocalStore,
) -> None:
    t = reported(store)
    vm = MyTicketsVM(store, "rep1")
    vm.load()
    [row] = vm.rows
    assert row.state_key == "tk.state.unsent" and not row.synced and row.pending_changes == 1
    assert row.cause == "集采报价规则 › 最高有效申报价低于我方报价"
    pull(store, 10, RecordType.TICKET, t.id, answered(t), SIMILAR)
    vm.load()
    [row] = vm.rows
    assert row.state_key == "tk.state.answered" and row.synced and row.answered


def test_other_peoples_tickets_show_only_when_asked_and_overdue_ones_are_flagged(
    store: LocalStore,
) -> None:
    t = reported(store)
    other = server_version(t, id="t2", reporter_id="rep2", state="triaged", owner_id="mgr1",
                           resolution_path="owner",
                           deadline=(NOW - timedelta(hours=1)).isoformat())  # fmt: skip
    pull(store, 11, RecordType.TICKET, "t2", other)
    mine = MyTicketsVM(store, "rep1")
    mine.load()
    assert [r.ticket.id for r in mine.rows] == [t.id]
    everyone = MyTicketsVM(store, "rep1", only_mine=False)
    everyone.load()
    assert {r.ticket.id: r.overdue for r in everyone.rows} == {t.id: False, "t2": True}
    assert everyone.overdue_count == 1


def test_the_detail_shows_answers_documents_ocr_similar_and_comments(store: LocalStore) -> None:
    t = reported(store)
    pull(store, 20, RecordType.ANSWER_SCRIPT, "kb-price-cap", {
        "id": "kb-price-cap", "root_cause_id": "policy.vbp_pricing.price_cap",
        "text_en": "Do not quote below the floor.", "text_zh": "不得低于公司批准底价报价。",
        "documents": [{"sha256": DOC, "title_en": "Pricing rules", "title_zh": "集采报价规则",
                       "mime": "text/plain"}]})  # fmt: skip
    pull(store, 21, RecordType.TICKET, t.id, answered(t), SIMILAR)
    vm = TicketDetailVM(store, t.id, "rep1", "zh")
    vm.load()
    [answer] = vm.answers()
    assert answer.automatic and answer.text == "不得低于公司批准底价报价。"
    assert [(d.sha256, d.title) for d in answer.documents] == [(DOC, "集采报价规则")]
    [ev] = vm.evidence()
    assert ev.thumbnail is not None and ev.thumbnail[:2] == b"\xff\xd8"
    assert ev.ocr_text == vm.ocr_summary == "最高有效申报价 12.50 元"
    [sim] = vm.similar()
    assert (sim.ticket_id, sim.cause_key, sim.answer) == ("t-old", "tk.relation.same_node",
                                                          "按底价执行")  # fmt: skip
    assert [(c.author_id, c.pending) for c in vm.comments()] == [("mgr1", False)]
    en = TicketDetailVM(store, t.id, "rep1", "en")
    en.load()
    assert en.answers()[0].text == "Do not quote below the floor."
    assert en.answers()[0].documents[0].title == "Pricing rules"


def test_comments_and_state_moves_are_queued_and_reopening_needs_a_reason(
    store: LocalStore,
) -> None:
    t = reported(store)
    vm = TicketDetailVM(store, t.id, "rep1")
    vm.load()
    assert not vm.can_react_to_answer and not vm.resolve()  # not answered yet
    assert vm.error is not None and vm.error.key == "tk.cannot_move"
    assert not vm.add_comment() and vm.error.key == "tk.need_comment"  # type: ignore[union-attr]
    vm.comment_text = "客户很着急"
    assert vm.add_comment()
    assert [(c.text, c.pending) for c in vm.comments()] == [("客户很着急", True)]
    pull(store, 30, RecordType.TICKET, t.id, answered(t))
    vm.load()
    assert vm.can_react_to_answer
    assert not vm.reopen() and vm.error.key == "tk.need_reopen_reason"  # type: ignore[union-attr]
    vm.reopen_note = "医院不接受自费方案"
    assert vm.reopen()
    assert vm.pending_state() == "triaged" and not vm.can_react_to_answer
    moves = [e for e in store.pending_changes() if e.record_type == "ticket" and e.op == "update"]
    assert [m.payload for m in moves] == [{"state": "triaged", "note": "医院不接受自费方案"}]
    comments = [e for e in store.pending_changes() if e.record_type == "ticket_comment"]
    assert comments[0].payload["ticket_id"] == t.id


def test_a_policy_document_needs_the_server_once_and_a_wrong_one_is_never_kept(
    store: LocalStore,
) -> None:
    t = reported(store)
    pull(store, 40, RecordType.TICKET, t.id, answered(t))

    class WrongBytes:
        def document(self, sha: str) -> bytes:
            return b"not the document"

    vm = TicketDetailVM(store, t.id, "rep1")
    vm.load()
    assert not vm.open_document(DOC) and vm.error.key == "tk.needs_server"  # type: ignore[union-attr]
    vm.api_factory = WrongBytes
    assert not vm.open_document(DOC) and vm.error.key == "tk.doc_damaged"  # type: ignore[union-attr]


def offline_api() -> TicketsApi:
    return TicketsApi(HttpTransport("http://127.0.0.1:9", "token", connect_timeout=0.5))


def test_manager_screens_say_plainly_that_they_need_the_server_when_offline(
    store: LocalStore,
) -> None:
    triage = TriageVM(offline_api)
    assert not triage.load() and triage.offline
    assert triage.error is not None and "联网" in triage.error.text("zh")
    assert not triage.answer("t1", "") and triage.error.key == "tk.need_answer"  # type: ignore[union-attr]
    board = BoardVM(offline_api)
    assert not board.load() and board.error is not None and board.lines == []
    admin = AdminConfigVM(store, offline_api, "en")
    before = admin.tree
    assert not admin.set_active("policy.vbp_pricing", False)
    assert admin.error is not None and admin.error.key == "tk.needs_server" and admin.tree is before
    lines = admin.lines()
    assert [ln.level for ln in lines[:3]] == [1, 2, 3] and lines[0].label == "Policy"


def test_an_admin_edits_the_tree_on_the_server_and_the_device_gets_it_by_sync(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path / "server")
    admin = admin_ops.create_user(world.storage, world.app.config, world.org_id, "admin1",
                                  PASSWORD, "admin", "")  # fmt: skip
    seed_ticket_config(world.storage, world.org_id, owner_id=world.users["mgr1"])
    device = new_device(world, tmp_path / "admin.db", "admin1")
    transport = FlaskTransport(world.client(), lambda: device.get_meta(TOKEN_KEY))
    assert SyncEngine(device, transport).sync().error is None
    vm = AdminConfigVM(device, lambda: TicketsApi(transport))
    assert any(ln.script is not None and ln.node.id == "policy.vbp_pricing.price_cap"
               for ln in vm.lines())  # fmt: skip
    assert not vm.add_node("policy", "Bad Id", "坏", "bad")
    assert vm.error is not None and vm.error.text("en").startswith("root cause tree")
    assert vm.add_node("policy", "policy.tender", "招标规则", "Tender rules"), vm.error
    assert vm.set_active("policy.vbp_pricing.volume_rules", False)
    assert SyncEngine(device, transport).sync().error is None
    tree = load_tree(device)
    assert tree.get("policy.tender").label_zh == "招标规则"
    assert not tree.get("policy.vbp_pricing.volume_rules").active
    assert admin.role == "admin"
