"""The multi-choice result kind and the need-explicitness result fields of the SOP templates."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.settings import RuleCode
from shared.sop import (
    NEED_RESULTS,
    FieldKind,
    Label,
    ResultField,
    SopTemplate,
    default_sop_templates,
)
from shared.targets import DecisionRole
from shared.validation.context import ValidationContext
from shared.validation.engine import validate_visit
from tests.support.factories import make_context, make_visit

ROLES = tuple(r.value for r in DecisionRole)


def _context_requiring_roles() -> ValidationContext:
    ctx = make_context()
    assert ctx.sop is not None
    fields = tuple(
        f.model_copy(update={"required": True}) if f.code == "roles_reached" else f
        for f in ctx.sop.result_fields
    )
    sop = SopTemplate.model_validate({**ctx.sop.model_dump(), "result_fields": fields})
    return ValidationContext(ctx.settings, ctx.calendar, ctx.customer, sop, ctx.history)


def _result_rule(value: Any) -> Any:
    visit = make_visit()
    result = {**visit.result}
    if value is not None:
        result["roles_reached"] = value
    visit = visit.model_copy(update={"result": result})
    return validate_visit(visit, _context_requiring_roles()).result(RuleCode.RESULT_REQUIRED)


def test_the_roles_choices_are_the_decision_roles_with_both_languages() -> None:
    roles = next(f for f in NEED_RESULTS if f.code == "roles_reached")
    assert roles.kind is FieldKind.MULTI
    assert roles.choices == ROLES
    assert [roles.choice_label(c, "zh") for c in roles.choices] == [
        "采购负责人",
        "部门主任",
        "副总",
        "其他",
    ]
    assert roles.choice_label("vp", "en") == "VP"
    assert roles.choice_label("unknown", "en") == "unknown"


def test_budget_timing_and_chain_are_optional_on_every_default_template() -> None:
    visit = make_visit()  # fills only the required fields
    for action_type, sop in default_sop_templates().items():
        codes = {f.code: f for f in sop.result_fields}
        for need in ("budget", "timing", "decision_chain", "roles_reached"):
            assert need in codes and not codes[need].required, action_type
    assert validate_visit(visit, make_context()).counts


def test_a_required_multi_choice_passes_with_known_distinct_choices() -> None:
    r = _result_rule(["procurement_head", "vp"])
    assert r.passed


@pytest.mark.parametrize(
    "value",
    [None, [], "vp", ["vp", "vp"], ["ceo"], [1], {"vp": True}],
    ids=["missing", "empty", "a string", "twice", "unknown", "not text", "a dict"],
)
def test_a_required_multi_choice_fails_and_names_the_field(value: Any) -> None:
    r = _result_rule(value)
    assert not r.passed
    assert "已接触的决策角色" in r.message_zh and "Decision roles reached" in r.message_en


@given(st.lists(st.sampled_from(ROLES), min_size=1, unique=True))
def test_any_non_empty_set_of_known_roles_is_valid(chosen: list[str]) -> None:
    assert _result_rule(chosen).passed


def test_choice_labels_must_match_the_choices() -> None:
    with pytest.raises(ValidationError):
        ResultField(code="x", label=Label(zh="x", en="x"), kind=FieldKind.MULTI,
                    choices=("a", "b"), choice_labels=(Label(zh="甲", en="A"),))  # fmt: skip
    with pytest.raises(ValidationError):
        ResultField(code="x", label=Label(zh="x", en="x"), choices=("a", "a"))


def test_a_template_round_trips_through_json_with_the_new_kind() -> None:
    sop = default_sop_templates()["new_product"]
    again = SopTemplate.model_validate_json(sop.model_dump_json())
    assert again == sop
