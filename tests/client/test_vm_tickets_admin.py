"""The admins' answer knowledge base and routing rules view-models against a real server:
waitress on 127.0.0.1, the device signed in through the real login, the REST client over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.engine import engine_for
from client.sync.session import login
from client.sync.tickets_api import TicketsApi
from client.sync.transport import HttpTransport
from client.viewmodels.tickets import load_scripts
from client.viewmodels.tickets_admin import KnowledgeBaseVM, RoutingVM
from sync_server import admin_ops
from sync_server.tickets_seed import seed_ticket_config
from sync_server.tickets_store import get_document, load_config
from tests.sim.harness import PASSWORD, LiveServer, World, make_world

PRICE_CAP = "policy.vbp_pricing.price_cap"
VOLUME_RULES = "policy.vbp_pricing.volume_rules"


@dataclass
class Live:
    world: World
    server: LiveServer
    admin: LocalStore

    def api(self) -> TicketsApi:
        return TicketsApi.for_store(self.admin)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    world = make_world(tmp_path / "server", OCR_ENABLED=False)
    admin_ops.create_user(world.storage, world.app.config, world.org_id, "admin1", PASSWORD,
                          "admin", "")  # fmt: skip
    seed_ticket_config(world.storage, world.org_id, owner_id=world.users["mgr1"])
    server = LiveServer(world.app)
    try:
        admin = LocalStore.open(tmp_path / "admin.db")
        login(admin, server.url, world.org_id, "admin1", PASSWORD)
        yield Live(world, server, admin)
    finally:
        server.stop()


def offline_api() -> TicketsApi:
    return TicketsApi(HttpTransport("http://127.0.0.1:9", "token", connect_timeout=0.5))


def test_an_admin_writes_a_script_for_a_cause_and_attaches_a_policy_document(live: Live) -> None:
    vm = KnowledgeBaseVM(live.api, "zh")
    assert vm.load(), vm.error
    by_node = {ln.node.id: ln for ln in vm.lines()}
    assert by_node[PRICE_CAP].script is not None and by_node[VOLUME_RULES].script is None
    assert by_node["policy.vbp_pricing"].level == 2 and by_node[PRICE_CAP].level == 3
    assert by_node[VOLUME_RULES].label == "约定采购量分配规则"

    assert not vm.save_script(VOLUME_RULES, "按医院分配", "  ")
    assert vm.error is not None and vm.error.key == "tk.kb_need_text"
    assert not vm.attach_document(VOLUME_RULES, b"rules", "text/plain", "规则", "Rules")
    assert vm.error is not None and vm.error.key == "tk.kb_need_script"

    assert vm.save_script(VOLUME_RULES, "带量按医院历史用量分配。", "Volume follows usage."), (
        vm.error
    )
    script = vm.script_for(VOLUME_RULES)
    assert script is not None and script.text_zh == "带量按医院历史用量分配。"
    kb = load_config(live.world.storage, live.world.org_id).kb
    assert kb.script_for(VOLUME_RULES) is not None  # on the server now

    doc = "约定采购量分配规则（2024）\n第三条：按上一年度实际用量分配。".encode()
    assert vm.attach_document(VOLUME_RULES, doc, "text/plain", "带量分配规则", "Volume rules")
    assert vm.notice is not None and vm.notice.key == "tk.kb_doc_added"
    [attached] = vm.script_for(VOLUME_RULES).documents  # type: ignore[union-attr]
    assert attached.title_zh == "带量分配规则"
    stored, mime = get_document(live.world.storage, live.world.org_id, attached.sha256)
    assert stored == doc and mime == "text/plain"

    # Editing the text keeps the id and the documents; the device gets it at its next sync.
    assert vm.save_script(VOLUME_RULES, "带量按上一年度用量分配。", "Volume follows last year.")
    assert vm.script_for(VOLUME_RULES).id == script.id  # type: ignore[union-attr]
    assert engine_for(live.admin).sync().error is None
    pulled = {s.root_cause_id: s for s in load_scripts(live.admin)}
    assert pulled[VOLUME_RULES].text_zh == "带量按上一年度用量分配。"
    assert [d.sha256 for d in pulled[VOLUME_RULES].documents] == [attached.sha256]


def test_an_admin_adds_edits_and_removes_routing_rules_and_sets_the_fallback(live: Live) -> None:
    mgr1, rep2 = live.world.users["mgr1"], live.world.users["rep2"]
    vm = RoutingVM(live.api)
    assert vm.load(), vm.error
    assert [r.id for r in vm.table.rules] == ["policy-all"] and vm.table.fallback_owner_id == mgr1

    assert vm.save_rule(None, problem_type="product", province="广东省", district="南山区",
                        owner_id=rep2, deadline_hours=24), vm.error  # fmt: skip
    [new] = [r for r in vm.table.rules if r.id != "policy-all"]
    server = load_config(live.world.storage, live.world.org_id).table
    assert [r.id for r in server.rules] == ["policy-all", new.id]
    assert server.rules[1].district == "南山区" and server.rules[1].deadline_hours == 24

    assert vm.save_rule(new.id, problem_type="product", province="广东省", district="",
                        owner_id=rep2, deadline_hours=12)  # fmt: skip
    assert vm.rule(new.id).deadline_hours == 12  # type: ignore[union-attr]
    server = load_config(live.world.storage, live.world.org_id).table
    assert server.rules[1].deadline_hours == 12 and server.rules[1].district == ""
    assert len(vm.table.rules) == 2

    # Refusals name their field: same conditions (checked on the device), unknown owner (server).
    assert not vm.save_rule(None, problem_type="policy", province="", district="",
                            owner_id=mgr1, deadline_hours=48)  # fmt: skip
    assert vm.error is not None and "same conditions" in vm.error.text("en")
    assert not vm.save_rule(None, problem_type="service", province="", district="",
                            owner_id="nobody", deadline_hours=48)  # fmt: skip
    assert vm.error is not None and "owner_id" in vm.error.text("en")
    assert not vm.save_rule(None, problem_type="service", province="", district="",
                            owner_id=mgr1, deadline_hours=0)  # fmt: skip
    assert vm.error is not None and "deadline_hours" in vm.error.text("en")

    assert vm.remove_rule("policy-all") and vm.notice.key == "tk.rt_removed"  # type: ignore[union-attr]
    assert vm.set_fallback("", 48)
    server = load_config(live.world.storage, live.world.org_id).table
    assert [r.id for r in server.rules] == [new.id] and server.fallback_owner_id is None
    assert vm.set_fallback(mgr1, 36)
    assert load_config(live.world.storage, live.world.org_id).table.fallback_deadline_hours == 36


def test_the_admin_editors_say_they_need_the_server_and_a_rep_is_refused(
    live: Live, tmp_path: Path
) -> None:
    kb, rules = KnowledgeBaseVM(offline_api), RoutingVM(offline_api)
    assert not kb.load() and kb.error is not None and kb.error.key == "tk.needs_server"
    assert kb.lines() == []
    assert not rules.load() and rules.error is not None and rules.error.key == "tk.needs_server"
    rep = LocalStore.open(tmp_path / "rep.db")
    login(rep, live.server.url, live.world.org_id, "rep1", PASSWORD)
    as_rep = RoutingVM(lambda: TicketsApi.for_store(rep))
    assert not as_rep.load() and not as_rep.offline and as_rep.table.rules == ()
    assert as_rep.error is not None and as_rep.error.text("en") == "this needs the role admin"
