"""Similar issues: scope + 30-day window first, then a documented score on a hand-made set."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from shared.tickets import (
    ImpactScope,
    ProblemType,
    Relation,
    Scenario,
    SimilarIndex,
    Ticket,
    default_root_cause_tree,
    find_similar,
    tokenize,
)

NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
TREE = default_root_cause_tree()
CAP = "policy.vbp_pricing.price_cap"


def t(i: str, days_ago: float, text: str, cause: str | None, *, ptype: str = "policy",
      province: str = "广东", district: str = "南山", customer: str = "c1",
      scope: ImpactScope = ImpactScope.PROVINCE) -> Ticket:  # fmt: skip
    return Ticket(
        id=i, org_id="org", reporter_id="rep", problem_type=ProblemType(ptype),
        root_cause_id=cause, text=text, impact_scope=scope,
        scenario=Scenario(customer_id=customer, district=district, province=province),
        device_time=NOW - timedelta(days=days_ago),
    )  # fmt: skip


QUERY = t("q", 0, "集采报价太低", CAP)  # bigrams: 集采 采报 报价 价太 太低 (5)
DATASET = [
    # A: same node; 集采 采报 报价 价偏 偏低: 3 of 5 shared → text 3/√(5·5) = 0.6
    t("A", 2, "集采报价偏低", CAP, district="福田"),
    # B: same family (volume rules under 集采报价规则); no bigram shared → text 0
    t("B", 1, "采购量分配", "policy.vbp_pricing.volume_rules"),
    # C: same type only (local admission); text 0
    t("C", 5, "上会周期长", "policy.local_admission.hospital_committee", customer="c2"),
    # D: other type, but 集采 采报 报价 价太 太低 低了: 5 of 6 shared → 5/√30 = 0.912871
    t("D", 3, "集采报价太低了", "product.supply", ptype="product"),
    # E: same node, other province → outside the province scope
    t("E", 1, "集采报价太低", CAP, province="湖南", district="岳麓", customer="c9"),
    # F: same node, 31 days old → outside the window
    t("F", 31, "集采报价太低", CAP),
    # G: other type, unrelated text → cause 0 and text 0: not shown
    t("G", 1, "包装破损", "product.quality.packaging", ptype="product"),
]


def expected(cause: float, text: float, days: float) -> float:
    return 0.5 * cause + 0.4 * text + 0.1 * (1 - days / 30)


def test_bigrams_for_chinese_and_words_and_numbers_for_latin_text():
    assert tokenize("集采报价太低") == {"集采", "采报", "报价", "价太", "太低"}
    assert tokenize("ModelXR-200 单价 12.50元") == {"model", "xr", "200", "单价", "12.50", "元"}
    assert tokenize("Ｍｏｄｅｌ") == {"model"}  # full-width forms fold (NFKC)
    assert tokenize("a 1 !") == {"1"}
    assert tokenize("") == frozenset()


def test_the_hand_made_dataset_ranks_as_worked_out():
    found = find_similar(QUERY, DATASET, TREE, now=NOW)
    assert [m.ticket_id for m in found] == ["A", "D", "B", "C"]
    scores = {m.ticket_id: m.score for m in found}
    assert scores["A"] == pytest.approx(expected(1.0, 0.6, 2), abs=1e-6)  # 0.833333
    assert scores["D"] == pytest.approx(expected(0.0, 5 / math.sqrt(30), 3), abs=1e-6)  # 0.455148
    assert scores["B"] == pytest.approx(expected(0.6, 0.0, 1), abs=1e-6)  # 0.396667
    assert scores["C"] == pytest.approx(expected(0.3, 0.0, 5), abs=1e-6)  # 0.233333
    relations = {m.ticket_id: m.cause for m in found}
    assert relations == {
        "A": Relation.SAME_NODE, "D": Relation.NONE,
        "B": Relation.SAME_PARENT, "C": Relation.SAME_TYPE,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("scope", "ids"),
    [
        # customer c1 within 30 days: A, B, D (G scores nothing); C is c2, E is c9
        (ImpactScope.CUSTOMER, ["A", "D", "B"]),
        # 广东/南山: B, C, D (A is in 福田)
        (ImpactScope.DISTRICT, ["D", "B", "C"]),
        # all of CN: E (same node, same text, 1 day: 0.5 + 0.4 + 0.0967 = 0.9967) leads
        (ImpactScope.NATIONAL, ["E", "A", "D", "B", "C"]),
    ],
)
def test_the_impact_scope_selects_the_candidates(scope, ids):
    query = QUERY.model_copy(update={"impact_scope": scope})
    assert [m.ticket_id for m in find_similar(query, DATASET, TREE, now=NOW)] == ids


def test_the_window_is_thirty_days_back_from_now_and_excludes_later_tickets():
    index = SimilarIndex(TREE)
    for ticket in DATASET:
        index.add(ticket)
    assert "F" not in [m.ticket_id for m in index.lookup(QUERY, now=NOW)]  # 31 days old
    # 2.5 days earlier: A and B are in that moment's future; F (28.5 days old then) is in.
    earlier = [m.ticket_id for m in index.lookup(QUERY, now=NOW - timedelta(days=2, hours=12))]
    assert earlier == ["F", "D", "C"]
    wide = SimilarIndex(TREE, window_days=40)
    for ticket in DATASET:
        wide.add(ticket)
    assert "F" in [m.ticket_id for m in wide.lookup(QUERY, now=NOW)]


def test_ties_go_to_the_newer_ticket_then_the_id():
    twins = [t("X", 4, "集采报价太低", CAP), t("Y", 2, "集采报价太低", CAP)]
    twins += [t("Z", 2, "集采报价太低", CAP)]
    index = SimilarIndex(TREE)
    for ticket in twins:
        index.add(ticket)
    found = index.lookup(QUERY, now=NOW)
    assert [m.ticket_id for m in found] == ["Y", "Z", "X"]


def test_re_adding_a_ticket_replaces_it_and_the_query_never_finds_itself():
    index = SimilarIndex(TREE)
    index.add(DATASET[0])
    index.add(DATASET[0].model_copy(update={"root_cause_id": None, "text": "无关"}))
    index.add(QUERY)
    found = index.lookup(QUERY, now=NOW)
    assert len(index) == 2
    assert [(m.ticket_id, m.cause) for m in found] == [("A", Relation.SAME_TYPE)]


def test_ocr_text_counts_as_ticket_text():
    other = t("O", 1, "见照片", None, ptype="service")
    other = other.model_copy(
        update={"evidence": other.evidence.model_copy(update={"photos": ("a" * 64,)}),
                "ocr_text": {"a" * 64: "集采报价太低"}}
    )  # fmt: skip
    found = find_similar(QUERY, [other], TREE, now=NOW)
    assert [m.ticket_id for m in found] == ["O"] and found[0].text > 0.5
