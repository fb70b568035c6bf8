"""The root-cause tree 根因树: data an admin edits, three levels deep.

Level 1 is the problem type (node id = the type's value, e.g. ``policy``), level 2 a cause family
(e.g. 医保目录变动 medical insurance catalogue change), level 3 a specific cause (e.g. the product
was removed from the catalogue). A ticket may point at a level-2 or level-3 node (or none yet).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from shared.errors import InvalidInput, NotFound
from shared.tickets.model import ProblemType

MAX_LEVEL = 3


class Relation(IntEnum):
    """How close two root causes are; used by the similar-issue ranking."""

    NONE = 0
    SAME_TYPE = 1  # same problem type (level-1 ancestor), different families
    SAME_PARENT = 2  # siblings, or one is the other's parent (same cause family)
    SAME_NODE = 3


class RootCauseNode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    parent_id: str | None = None
    label_en: str = Field(min_length=1, max_length=200)
    label_zh: str = Field(min_length=1, max_length=200)
    active: bool = True

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


class RootCauseTree(BaseModel):
    """All nodes of an organisation's tree; checked on construction (ids, parents, depth)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nodes: tuple[RootCauseNode, ...]
    _by_id: dict[str, RootCauseNode] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _well_formed(self) -> RootCauseTree:
        by_id: dict[str, RootCauseNode] = {}
        for node in self.nodes:
            if node.id in by_id:
                raise ValueError(f"root cause {node.id!r} appears twice")
            by_id[node.id] = node
        for node in self.nodes:
            if node.parent_id is None:
                if node.id not in set(ProblemType):
                    raise ValueError(f"top-level node {node.id!r} is not a problem type")
                continue
            depth, cursor = 1, node
            while cursor.parent_id is not None:
                parent = by_id.get(cursor.parent_id)
                if parent is None:
                    raise ValueError(f"node {cursor.id!r}: unknown parent {cursor.parent_id!r}")
                depth += 1
                if depth > MAX_LEVEL:
                    raise ValueError(f"node {node.id!r} is deeper than {MAX_LEVEL} levels")
                cursor = parent
        self._by_id = by_id
        return self

    def _index(self) -> dict[str, RootCauseNode]:
        return self._by_id

    def get(self, node_id: str) -> RootCauseNode:
        node = self._index().get(node_id)
        if node is None:
            raise NotFound(
                f"root cause {node_id!r} does not exist",
                message_zh=f"根因 {node_id!r} 不存在",
                field="root_cause_id",
            )
        return node

    def path(self, node_id: str) -> list[RootCauseNode]:
        """From the problem type down to the node."""
        out = [self.get(node_id)]
        while out[-1].parent_id is not None:
            out.append(self.get(out[-1].parent_id))
        return out[::-1]

    def level(self, node_id: str) -> int:
        return len(self.path(node_id))

    def problem_type(self, node_id: str) -> ProblemType:
        return ProblemType(self.path(node_id)[0].id)

    def children(self, node_id: str | None) -> list[RootCauseNode]:
        return [n for n in self.nodes if n.parent_id == node_id]

    def check_for_ticket(self, node_id: str | None, problem_type: ProblemType) -> None:
        """A ticket's root cause must exist, be active, sit below the level-1 type node and
        belong to the ticket's problem type."""
        if node_id is None:
            return
        node = self.get(node_id)
        if not node.active:
            raise InvalidInput(
                f"root_cause_id: {node_id!r} is retired",
                message_zh=f"根因 {node_id!r} 已停用",
                field="root_cause_id",
            )
        if node.parent_id is None:
            raise InvalidInput(
                f"root_cause_id: {node_id!r} is a problem type, pick a cause below it",
                message_zh=f"根因 {node_id!r} 是问题类型，请选择其下的具体根因",
                field="root_cause_id",
            )
        actual = self.problem_type(node_id)
        if actual is not problem_type:
            raise InvalidInput(
                f"root_cause_id: {node_id!r} belongs to {actual}, the ticket is {problem_type}",
                message_zh=f"根因 {node_id!r} 属于「{actual}」类，与工单类型「{problem_type}」不符",
                field="root_cause_id",
            )

    def relation(self, a: str | None, b: str | None) -> Relation:
        """Same node > same family (siblings or parent/child) > same problem type > none."""
        if a is None or b is None:
            return Relation.NONE
        index = self._index()
        if a not in index or b not in index:
            return Relation.NONE
        if a == b:
            return Relation.SAME_NODE
        pa, pb = self.path(a), self.path(b)
        if pa[0].id != pb[0].id:
            return Relation.NONE
        fam_a = pa[1].id if len(pa) > 1 else None
        fam_b = pb[1].id if len(pb) > 1 else None
        if fam_a is not None and fam_a == fam_b:
            return Relation.SAME_PARENT
        return Relation.SAME_TYPE

    def to_data(self) -> list[dict[str, Any]]:
        return [n.model_dump() for n in self.nodes]

    @classmethod
    def from_data(cls, data: list[dict[str, Any]]) -> RootCauseTree:
        try:
            return cls(nodes=tuple(RootCauseNode.model_validate(d) for d in data))
        except ValueError as exc:
            raise InvalidInput(
                f"root cause tree: {exc}", message_zh=f"根因树无效：{exc}", field="root_causes"
            ) from None


# (id, parent, English, Chinese). The policy branch is the article's; the rest are seeds an
# admin is expected to edit.
_SEED: tuple[tuple[str, str | None, str, str], ...] = (
    ("policy", None, "Policy", "政策"),
    ("policy.insurance_catalogue", "policy", "Medical insurance catalogue change", "医保目录变动"),
    ("policy.insurance_catalogue.removed", "policy.insurance_catalogue",
     "Product removed from the catalogue", "产品调出目录"),
    ("policy.insurance_catalogue.payment_cut", "policy.insurance_catalogue",
     "Payment standard lowered", "支付标准下调"),
    ("policy.insurance_catalogue.restricted", "policy.insurance_catalogue",
     "Reimbursement restricted to indications", "限定支付范围"),
    ("policy.vbp_pricing", "policy", "Centralized procurement pricing rules", "集采报价规则"),
    ("policy.vbp_pricing.price_cap", "policy.vbp_pricing",
     "Bid price cap below our price", "最高有效申报价低于我方报价"),
    ("policy.vbp_pricing.volume_rules", "policy.vbp_pricing",
     "Agreed-volume allocation rules", "约定采购量分配规则"),
    ("policy.local_admission", "policy", "Local admission time limits", "地方准入时限"),
    ("policy.local_admission.hospital_committee", "policy.local_admission",
     "Hospital drug/device committee schedule", "医院药事会/设备委员会上会周期"),
    ("policy.local_admission.listing_window", "policy.local_admission",
     "Provincial listing window missed", "省级挂网窗口期错过"),
    ("product", None, "Product", "产品"),
    ("product.quality", "product", "Quality defect", "质量缺陷"),
    ("product.quality.packaging", "product.quality", "Damaged packaging", "包装破损"),
    ("product.quality.expiry", "product.quality", "Short shelf life on arrival", "到货效期短"),
    ("product.spec", "product", "Specification mismatch", "规格不符"),
    ("product.supply", "product", "Out of stock / supply shortage", "断货/供货不足"),
    ("service", None, "Service", "服务"),
    ("service.delivery", "service", "Late delivery", "配送延迟"),
    ("service.after_sales", "service", "After-sales response", "售后响应"),
    ("service.after_sales.repair_slow", "service.after_sales", "Slow repair", "维修不及时"),
    ("service.billing", "service", "Invoice or billing error", "开票/结算错误"),
    ("competitor", None, "Competitor", "竞品"),
    ("competitor.price", "competitor", "Competitor price cut", "竞品降价"),
    ("competitor.price.rebate", "competitor.price", "Hidden rebate", "暗返/返利"),
    ("competitor.promotion", "competitor", "Competitor promotion or display deal",
     "竞品促销/陈列买断"),
    ("competitor.new_product", "competitor", "Competitor new product", "竞品新品上市"),
    ("process", None, "Process", "流程"),
    ("process.approval", "process", "Internal approval too slow", "内部审批过慢"),
    ("process.approval.discount", "process.approval", "Special price approval", "特价审批"),
    ("process.contract", "process", "Contract terms", "合同条款"),
    ("process.samples", "process", "Sample request", "样品申领"),
)  # fmt: skip


def default_root_cause_tree() -> RootCauseTree:
    return RootCauseTree(
        nodes=tuple(
            RootCauseNode(id=i, parent_id=p, label_en=en, label_zh=zh) for i, p, en, zh in _SEED
        )
    )
