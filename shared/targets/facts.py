"""Input facts of the target computations: plain, immutable, device-friendly.

Every date here is a *local date in the organisation's time zone* (``OrgSettings.timezone``,
default Asia/Shanghai). Convert timestamps with :func:`local_date` before building facts: an
order stamped 23:30 UTC on 31 March is an April order in Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput


class DecisionRole(StrEnum):
    """Role of a contact in the customer's decision chain 决策链."""

    PROCUREMENT_HEAD = "procurement_head"  # 采购负责人
    DEPARTMENT_DIRECTOR = "department_director"  # 部门总监
    VP = "vp"  # 副总裁 / 分管领导
    OTHER = "other"  # 其他 (does not add depth)


DEPTH_ROLES: frozenset[DecisionRole] = frozenset(
    {DecisionRole.PROCUREMENT_HEAD, DecisionRole.DEPARTMENT_DIRECTOR, DecisionRole.VP}
)


class TouchpointKind(StrEnum):
    INQUIRY = "inquiry"  # 客户询价 / 咨询
    PROPOSAL = "proposal"  # 方案发送 (with an attachment)


@dataclass(frozen=True, slots=True)
class OrderFact:
    """One ERP order. Orders with ``amount <= 0`` are not purchases and are ignored."""

    customer_id: str
    ordered_on: date
    amount: Decimal | float = Decimal(1)
    categories: tuple[str, ...] = ()
    erp_order_id: str = ""


@dataclass(frozen=True, slots=True)
class CustomerFact:
    """A customer as the targets see it: owner rep, district, industry tag.

    ``first_order_on`` is the signing date recorded in the ledger, if any; the first order of a
    customer is the earlier of it and the customer's earliest ERP order.
    """

    id: str
    rep_id: str
    district: str = ""
    industry: str = ""
    new_industry: bool = False
    first_order_on: date | None = None


@dataclass(frozen=True, slots=True)
class VisitFact:
    """One visit of the ledger. ``counts`` = it passed submit-time validation (a real visit)."""

    id: str
    customer_id: str
    rep_id: str
    captured_on: date
    counts: bool = True
    budget_recorded: bool = False
    timing_recorded: bool = False
    decision_chain_recorded: bool = False
    roles_reached: frozenset[DecisionRole] = field(default_factory=frozenset)

    @property
    def need_explicit(self) -> bool:
        """Budget, timing and decision chain were all recorded 需求显性化."""
        return self.budget_recorded and self.timing_recorded and self.decision_chain_recorded


@dataclass(frozen=True, slots=True)
class TouchpointFact:
    """A logged customer inquiry or a proposal sent."""

    id: str
    customer_id: str
    rep_id: str
    kind: TouchpointKind
    occurred_on: date


def local_date(moment: datetime, tz: str | ZoneInfo) -> date:
    """The organisation-local calendar date of an aware timestamp.

    Naive timestamps are refused: a date cannot be placed without knowing its offset.
    """
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise InvalidInput(
            f"timestamp {moment.isoformat()} has no time zone",
            message_zh=f"时间 {moment.isoformat()} 缺少时区",
            field="timestamp",
        )
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return moment.astimezone(zone).date()
