"""Routing: a standard answer for a known root cause, else the most specific owner rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import InvalidInput
from shared.tickets import (
    AnswerScript,
    AnswerSource,
    ImpactScope,
    KnowledgeBase,
    PolicyDocument,
    ProblemType,
    ResolutionPath,
    RoutingRule,
    RoutingTable,
    Scenario,
    Ticket,
    TicketState,
    answer_hours,
    mark_delivered,
    route,
)
from shared.visits import TimeAnchor

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
DOC = PolicyDocument(sha256="d" * 64, title_en="NHSA notice 2024", title_zh="国家医保局通知 2024")
KB = KnowledgeBase(
    scripts=(
        AnswerScript(
            id="kb-removed", root_cause_id="policy.insurance_catalogue.removed",
            text_en="Offer the self-pay programme; see the notice.",
            text_zh="介绍自费患者援助项目，参见通知。", documents=(DOC,),
        ),
        AnswerScript(
            id="kb-old", root_cause_id="policy.vbp_pricing.price_cap", text_en="old",
            text_zh="旧", active=False,
        ),
    )
)  # fmt: skip
TABLE = RoutingTable(
    rules=(
        RoutingRule(id="any-policy", problem_type=ProblemType.POLICY, owner_id="policy-desk",
                    deadline_hours=72),
        RoutingRule(id="gd", province="广东", owner_id="gd-lead", deadline_hours=48),
        RoutingRule(id="nanshan", province="广东", district="南山", owner_id="ns-lead",
                    deadline_hours=24),
        RoutingRule(id="nanshan-policy", problem_type=ProblemType.POLICY, district="南山",
                    owner_id="ns-policy", deadline_hours=12),
        RoutingRule(id="gd-product", problem_type=ProblemType.PRODUCT, province="广东",
                    owner_id="gd-product", deadline_hours=36),
    ),
    fallback_owner_id=None,
)  # fmt: skip


def ticket(cause: str | None, ptype: ProblemType = ProblemType.POLICY, **sc: str) -> Ticket:
    scenario = Scenario(customer_id="c1", **{"district": "南山", "province": "广东"} | sc)
    return Ticket(
        id="t1", org_id="org", reporter_id="rep-1", problem_type=ptype, root_cause_id=cause,
        scenario=scenario, impact_scope=ImpactScope.CUSTOMER, text="问题", device_time=T0,
    )  # fmt: skip


def test_a_known_root_cause_gets_its_standard_answer_at_once():
    routed = route(ticket("policy.insurance_catalogue.removed"), KB, TABLE, T0, answer_id="a1")
    assert routed.state is TicketState.ANSWERED
    assert routed.resolution_path is ResolutionPath.STANDARD_ANSWER
    (ans,) = routed.answers
    assert ans.source is AnswerSource.AUTO and ans.script_id == "kb-removed"
    assert ans.text_zh.startswith("介绍") and ans.documents == ("d" * 64,)
    assert routed.history[-1].role == "system" and routed.owner_id is None


def test_a_retired_script_or_a_parents_script_does_not_answer():
    routed = route(ticket("policy.vbp_pricing.price_cap"), KB, TABLE, T0, answer_id="a1")
    assert routed.state is TicketState.TRIAGED and not routed.answers
    kb = KnowledgeBase(scripts=(KB.scripts[0].model_copy(update={"root_cause_id": "policy"}),))
    assert (
        route(ticket("policy.insurance_catalogue.removed"), kb, TABLE, T0, answer_id="a").state
        is TicketState.TRIAGED
    )


@pytest.mark.parametrize(
    ("ptype", "district", "province", "rule", "owner", "hours"),
    [
        # type+district (2 conditions) beats district+province (2, but district tie → type wins)
        (ProblemType.POLICY, "南山", "广东", "nanshan-policy", "ns-policy", 12),
        # service in Nanshan: district+province (2) beats province alone (1)
        (ProblemType.SERVICE, "南山", "广东", "nanshan", "ns-lead", 24),
        # product in Futian: type+province (2) beats province (1)
        (ProblemType.PRODUCT, "福田", "广东", "gd-product", "gd-product", 36),
        # policy in Futian: province (1) vs type (1): equal count; district absent; type wins
        (ProblemType.POLICY, "福田", "广东", "any-policy", "policy-desk", 72),
        # service in Futian: only the province rule
        (ProblemType.SERVICE, "福田", "广东", "gd", "gd-lead", 48),
        # policy in Hunan: only the type rule
        (ProblemType.POLICY, "岳麓", "湖南", "any-policy", "policy-desk", 72),
    ],
)
def test_the_most_specific_rule_wins(ptype, district, province, rule, owner, hours):
    t = ticket(None, ptype, district=district, province=province)
    routed = route(t, KB, TABLE, T0, answer_id="a1")
    assert routed.state is TicketState.TRIAGED and routed.resolution_path is ResolutionPath.OWNER
    assert (routed.routing_rule_id, routed.owner_id) == (rule, owner)
    assert routed.deadline == T0 + timedelta(hours=hours)


def test_no_matching_rule_waits_in_the_triage_queue_or_goes_to_the_fallback_owner():
    t = ticket(None, ProblemType.SERVICE, district="岳麓", province="湖南")
    waiting = route(t, KB, TABLE, T0, answer_id="a1")
    assert waiting.state is TicketState.REPORTED
    assert waiting.resolution_path is ResolutionPath.MANAGER_TRIAGE
    assert waiting.deadline == T0 + timedelta(hours=48)
    table = TABLE.model_copy(update={"fallback_owner_id": "hq", "fallback_deadline_hours": 96})
    routed = route(t, KB, table, T0, answer_id="a1")
    assert (routed.state, routed.owner_id) == (TicketState.TRIAGED, "hq")
    assert routed.deadline == T0 + timedelta(hours=96)


def test_two_rules_with_the_same_conditions_are_refused():
    with pytest.raises(ValueError, match="same conditions"):
        RoutingTable(rules=(TABLE.rules[0], TABLE.rules[0].model_copy(update={"id": "dup"})))


def test_two_active_scripts_for_one_root_cause_are_refused():
    s = KB.scripts[0]
    with pytest.raises(ValueError, match="two active answer scripts"):
        KnowledgeBase(scripts=(s, s.model_copy(update={"id": "kb-2"})))


def test_only_a_reported_ticket_is_routed():
    t = route(ticket(None), KB, TABLE, T0, answer_id="a1")
    assert route(t, KB, TABLE, T0 + timedelta(hours=1), answer_id="a2") == t


def test_an_auto_answer_delivered_at_the_next_pull_gives_the_metric_in_hours():
    # Reported offline with a wrong device clock; trusted time is anchor + elapsed = T0 + 30 min.
    t = ticket("policy.insurance_catalogue.removed").model_copy(
        update={"device_time": T0 + timedelta(days=3), "anchor": TimeAnchor(server_time=T0),
                "elapsed_since_anchor_ms": 30 * 60_000}
    )  # fmt: skip
    # The device syncs 2 h after the report: the server routes, answers; the same sync's pull
    # acknowledges it 1 minute later.
    received = T0 + timedelta(hours=2, minutes=30)
    routed = route(t, KB, TABLE, received, answer_id="a1")
    assert answer_hours(routed) is None
    delivered = mark_delivered(routed, received + timedelta(minutes=1))
    assert answer_hours(delivered) == pytest.approx(2 + 1 / 60)
    assert mark_delivered(delivered, received + timedelta(hours=9)) == delivered  # first only


def test_delivery_is_not_recorded_before_there_is_an_answer():
    t = route(ticket(None), KB, TABLE, T0, answer_id="a1")
    assert mark_delivered(t, T0 + timedelta(hours=1)).delivered_at is None


def test_a_triage_without_owner_is_refused_with_the_field():
    from shared.tickets import Actor, Role, transition

    with pytest.raises(InvalidInput):
        transition(ticket(None), TicketState.TRIAGED, Actor(user_id="m", role=Role.MANAGER), T0)


def test_intake_checks_routes_and_finds_similar_tickets_in_one_step():
    from shared.tickets import SimilarIndex, TicketSettings, default_root_cause_tree
    from shared.tickets.intake import receive_ticket

    tree = default_root_cause_tree()
    index = SimilarIndex(tree)
    ids = iter(["a1", "a2"])
    common = {"tree": tree, "kb": KB, "table": TABLE, "settings": TicketSettings(),
              "index": index, "new_id": lambda: next(ids)}  # fmt: skip
    first = receive_ticket(
        ticket("policy.insurance_catalogue.removed"), reporter_id="rep-1", now=T0, **common
    )
    assert first.ticket.state is TicketState.ANSWERED and first.similar == ()
    second_t = ticket("policy.insurance_catalogue.payment_cut").model_copy(update={"id": "t2"})
    second = receive_ticket(second_t, reporter_id="rep-1", now=T0 + timedelta(hours=1), **common)
    assert second.ticket.state is TicketState.TRIAGED
    assert [m.ticket_id for m in second.similar] == ["t1"]
    with pytest.raises(InvalidInput) as err:
        receive_ticket(second_t, reporter_id="rep-9", now=T0, **common)
    assert err.value.field == "reporter_id"
    forged = second_t.model_copy(update={"owner_id": "me"})
    with pytest.raises(InvalidInput) as err:
        receive_ticket(forged, reporter_id="rep-1", now=T0, **common)
    assert err.value.field == "owner_id"
    wrong_type = second_t.model_copy(update={"root_cause_id": "product.quality"})
    with pytest.raises(InvalidInput) as err:
        receive_ticket(wrong_type, reporter_id="rep-1", now=T0, **common)
    assert err.value.field == "root_cause_id"
