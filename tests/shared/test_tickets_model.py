"""Ticket model, evidence limits, root-cause tree and the scenario pre-filled from a visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.customers import Customer
from shared.errors import InvalidInput, NotFound
from shared.tickets import (
    Evidence,
    ImpactScope,
    ProblemType,
    Relation,
    RootCauseTree,
    Scenario,
    TicketSettings,
    VideoEvidence,
    check_evidence,
    default_root_cause_tree,
    parse_ticket,
    scenario_from_visit,
)
from shared.visits import GpsFix, TimeAnchor, Visit

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
SHA = [f"{i:064x}" for i in range(1, 8)]


def payload(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "t1", "org_id": "org", "reporter_id": "rep-1", "problem_type": "policy",
        "scenario": {"customer_id": "c1", "district": "南山", "province": "广东"},
        "text": "医保目录调整后医院暂停采购", "device_time": T0.isoformat(),
    }  # fmt: skip
    base.update(over)
    return base


def test_a_ticket_parses_from_json_data_with_its_five_dimensions():
    t = parse_ticket(payload(impact_scope="district"))
    assert t.scenario.district == "南山" and t.impact_scope is ImpactScope.DISTRICT
    assert t.state.value == "reported" and t.owner_id is None and t.deadline is None


def test_a_bad_field_is_refused_naming_it():
    with pytest.raises(InvalidInput) as err:
        parse_ticket(payload(problem_type="weather"))
    assert err.value.field == "ticket.problem_type"
    with pytest.raises(InvalidInput) as err:
        parse_ticket(payload(impact_scope="province", scenario={"customer_id": "c1"}))
    assert "scenario.province" in err.value.message


def test_six_photos_are_refused_by_the_model_and_settings_may_lower_the_limit():
    with pytest.raises(InvalidInput) as err:
        parse_ticket(payload(evidence={"photos": SHA[:6]}))
    assert err.value.field == "ticket.evidence.photos"
    ev = Evidence(photos=tuple(SHA[:3]))
    check_evidence(ev, TicketSettings())
    with pytest.raises(InvalidInput) as err2:
        check_evidence(ev, TicketSettings(max_photos=2))
    assert err2.value.field == "evidence.photos"


def test_photos_and_a_video_together_are_refused():
    video = {"sha256": SHA[6], "size_bytes": 1000, "duration_s": 10}
    with pytest.raises(InvalidInput) as err:
        parse_ticket(payload(evidence={"photos": SHA[:1], "video": video}))
    assert "not both" in err.value.message


def test_a_video_over_the_size_or_duration_limit_is_refused_naming_the_field():
    settings = TicketSettings(video_max_bytes=10_000, video_max_duration_s=30)
    ok = VideoEvidence(sha256=SHA[0], size_bytes=10_000, duration_s=30)
    check_evidence(Evidence(video=ok), settings)
    for field, change in (("size_bytes", 10_001), ("duration_s", 30.5)):
        bad = Evidence(video=ok.model_copy(update={field: change}))
        with pytest.raises(InvalidInput) as err:
            check_evidence(bad, settings)
        assert err.value.field == f"evidence.video.{field}"
        assert err.value.message_zh != err.value.message


def test_report_time_follows_the_trusted_time_rules():
    anchor = TimeAnchor(server_time=T0)
    wrong_clock = T0 + timedelta(days=2)
    t = parse_ticket(
        payload(device_time=wrong_clock.isoformat(), anchor=anchor.model_dump(mode="json"),
                elapsed_since_anchor_ms=3_600_000)
    )  # fmt: skip
    assert t.reported_at == T0 + timedelta(hours=1) and t.reported.trusted
    assert parse_ticket(payload()).reported.trusted is False


def test_the_scenario_is_prefilled_from_the_visit_and_its_customer():
    visit = Visit(
        id="v1", org_id="org", customer_id="c1", rep_id="rep-1", action_type="display",
        device_time=T0 + timedelta(days=1), anchor=TimeAnchor(server_time=T0),
        elapsed_since_anchor_ms=60_000, gps=GpsFix(lat=22.53, lon=113.93, accuracy_m=10),
    )  # fmt: skip
    customer = Customer(
        id="c1", org_id="org", name="万家超市", address="南山大道 1 号", lat=22.53, lon=113.93,
        district="南山", province="广东",
    )  # fmt: skip
    sc = scenario_from_visit(visit, customer)
    assert sc == Scenario(
        customer_id="c1", visit_id="v1", place="南山大道 1 号", district="南山", province="广东",
        lat=22.53, lon=113.93, occurred_at=T0 + timedelta(minutes=1),
    )  # fmt: skip


def test_the_seed_tree_has_the_articles_policy_branch_with_bilingual_labels():
    tree = default_root_cause_tree()
    labels = [n.label("zh") for n in tree.children("policy")]
    assert labels == ["医保目录变动", "集采报价规则", "地方准入时限"]
    assert tree.children("policy")[0].label("en") == "Medical insurance catalogue change"
    assert {n.id for n in tree.children(None)} == {p.value for p in ProblemType}
    assert max(tree.level(n.id) for n in tree.nodes) == 3
    assert all(tree.children(p.value) for p in ProblemType)


def test_a_tickets_root_cause_must_exist_be_below_the_type_and_match_it():
    tree = default_root_cause_tree()
    tree.check_for_ticket("policy.vbp_pricing.price_cap", ProblemType.POLICY)
    with pytest.raises(InvalidInput) as err:
        tree.check_for_ticket("product.quality", ProblemType.POLICY)
    assert err.value.field == "root_cause_id" and "belongs to product" in err.value.message
    with pytest.raises(InvalidInput):
        tree.check_for_ticket("policy", ProblemType.POLICY)
    with pytest.raises(NotFound):
        tree.check_for_ticket("policy.nope", ProblemType.POLICY)


def test_relations_go_same_node_then_same_family_then_same_type():
    tree = default_root_cause_tree()
    cap, vol = "policy.vbp_pricing.price_cap", "policy.vbp_pricing.volume_rules"
    assert tree.relation(cap, cap) is Relation.SAME_NODE
    assert tree.relation(cap, vol) is Relation.SAME_PARENT
    assert tree.relation(cap, "policy.vbp_pricing") is Relation.SAME_PARENT
    assert tree.relation(cap, "policy.local_admission") is Relation.SAME_TYPE
    assert tree.relation(cap, "product.quality") is Relation.NONE
    assert tree.relation(cap, None) is Relation.NONE


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ([{"id": "weather", "label_en": "W", "label_zh": "天"}], "not a problem type"),
        ([{"id": "policy", "label_en": "P", "label_zh": "政"},
          {"id": "x", "parent_id": "nope", "label_en": "X", "label_zh": "X"}], "unknown parent"),
        ([{"id": "policy", "label_en": "P", "label_zh": "政"},
          {"id": "policy", "label_en": "P", "label_zh": "政"}], "twice"),
        ([{"id": "policy", "label_en": "P", "label_zh": "政"},
          {"id": "a", "parent_id": "policy", "label_en": "A", "label_zh": "A"},
          {"id": "b", "parent_id": "a", "label_en": "B", "label_zh": "B"},
          {"id": "c", "parent_id": "b", "label_en": "C", "label_zh": "C"}], "deeper than 3"),
    ],
)  # fmt: skip
def test_a_malformed_tree_from_an_admin_is_refused(data, needle):
    with pytest.raises(InvalidInput) as err:
        RootCauseTree.from_data(data)
    assert needle in err.value.message and err.value.field == "root_causes"


def test_the_tree_round_trips_through_its_data_form():
    tree = default_root_cause_tree()
    assert RootCauseTree.from_data(tree.to_data()) == tree
