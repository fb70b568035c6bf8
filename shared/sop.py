"""Action types and their SOP templates — data an admin edits, not code.

The four action types of the article are seeded by :func:`default_sop_templates`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FieldKind(StrEnum):
    BOOL = "bool"
    INT = "int"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"  # several of ``choices``: the value is a list of choice codes


class Label(BaseModel):
    """A bilingual label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str

    def for_lang(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


class PhotoSlot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    required: bool = True


class ChecklistItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    required: bool = True


class ResultField(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    # bilingual words of ``choices`` (same order); empty = show the codes themselves
    choice_labels: tuple[Label, ...] = ()

    @model_validator(mode="after")
    def _labels_match_choices(self) -> ResultField:
        if self.choice_labels and len(self.choice_labels) != len(self.choices):
            raise ValueError("choice_labels must give one label per choice")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must be distinct")
        return self

    def choice_label(self, code: str, lang: str) -> str:
        """The words of one choice in ``lang`` (the code itself when it has no label)."""
        for c, label in zip(self.choices, self.choice_labels, strict=False):
            if c == code:
                return label.for_lang(lang)
        return code


class SopTemplate(BaseModel):
    """What one action type demands: photo slots, checklist items, result fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_type: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    photo_slots: tuple[PhotoSlot, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    result_fields: tuple[ResultField, ...] = ()
    version: int = 1

    @property
    def required_slots(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.photo_slots if s.required)


def _l(zh: str, en: str) -> Label:
    return Label(zh=zh, en=en)


# Need explicitness 需求显性化 and decision-chain depth 决策链穿透深度 (docs/targets.md): a visit
# "recorded" budget / timing / decision chain when the field is filled in; roles_reached lists the
# decision roles met (codes of shared.targets.DecisionRole). Never required.
DECISION_ROLE_CHOICES: tuple[tuple[str, Label], ...] = (
    ("procurement_head", _l("采购负责人", "Procurement head")),
    ("department_director", _l("部门主任", "Department director")),
    ("vp", _l("副总", "VP")),
    ("other", _l("其他", "Other")),
)
NEED_RESULTS = (
    ResultField(code="budget", label=_l("预算", "Budget"), kind=FieldKind.TEXT),
    ResultField(code="timing", label=_l("采购时间", "Purchase timing"), kind=FieldKind.TEXT),
    ResultField(code="decision_chain", label=_l("决策链", "Decision chain"), kind=FieldKind.TEXT),
    ResultField(
        code="roles_reached",
        label=_l("已接触的决策角色", "Decision roles reached"),
        kind=FieldKind.MULTI,
        choices=tuple(code for code, _ in DECISION_ROLE_CHOICES),
        choice_labels=tuple(label for _, label in DECISION_ROLE_CHOICES),
    ),
)
_COMMON_RESULTS = (
    ResultField(code="order_taken", label=_l("是否下单", "Order taken"), kind=FieldKind.BOOL),
    ResultField(code="objections", label=_l("客户异议", "Objections"), kind=FieldKind.TEXT),
    *NEED_RESULTS,
)


def default_sop_templates() -> dict[str, SopTemplate]:
    """The article's four action types, keyed by action type code."""
    templates = [
        SopTemplate(
            action_type="new_product",
            label=_l("新品推荐", "New product recommendation"),
            photo_slots=(
                PhotoSlot(code="product_display", label=_l("新品陈列", "Product on shelf")),
            ),
            checklist=(
                ChecklistItem(code="sample_shown", label=_l("已展示样品", "Sample shown")),
                ChecklistItem(
                    code="price_explained", label=_l("已讲解价格政策", "Pricing explained")
                ),
            ),
            result_fields=(
                ResultField(
                    code="trial_converted",
                    label=_l("新品试用转化", "Trial converted"),
                    kind=FieldKind.BOOL,
                    required=True,
                ),
                *_COMMON_RESULTS,
            ),
        ),
        SopTemplate(
            action_type="replenishment",
            label=_l("补货跟进", "Replenishment follow-up"),
            photo_slots=(PhotoSlot(code="shelf_stock", label=_l("货架库存", "Shelf stock")),),
            checklist=(
                ChecklistItem(code="stock_counted", label=_l("已盘点库存", "Stock counted")),
            ),
            result_fields=(
                ResultField(
                    code="stock_count",
                    label=_l("库存数量", "Units in stock"),
                    kind=FieldKind.INT,
                    required=True,
                ),
                *_COMMON_RESULTS,
            ),
        ),
        SopTemplate(
            action_type="display_optimization",
            label=_l("陈列优化", "Display optimization"),
            photo_slots=(
                PhotoSlot(code="storefront", label=_l("门头", "Storefront")),
                PhotoSlot(code="stack_display", label=_l("堆头", "Stack display")),
                PhotoSlot(code="price_tag", label=_l("价签", "Price tag")),
            ),
            checklist=(
                ChecklistItem(code="facing_fixed", label=_l("排面已整理", "Facings tidied")),
                ChecklistItem(code="pop_placed", label=_l("POP物料已张贴", "POP material placed")),
            ),
            result_fields=_COMMON_RESULTS,
        ),
        SopTemplate(
            action_type="competitor_interception",
            label=_l("竞品拦截", "Competitor interception"),
            photo_slots=(
                PhotoSlot(code="competitor_display", label=_l("竞品陈列", "Competitor display")),
            ),
            checklist=(
                ChecklistItem(
                    code="competitor_price_noted",
                    label=_l("已记录竞品价格", "Competitor price noted"),
                ),
            ),
            result_fields=(
                ResultField(
                    code="competitor_name",
                    label=_l("竞品名称", "Competitor"),
                    kind=FieldKind.TEXT,
                    required=True,
                ),
                *_COMMON_RESULTS,
            ),
        ),
    ]
    return {t.action_type: t for t in templates}
