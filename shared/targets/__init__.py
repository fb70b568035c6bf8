"""Dual-track targets 双轨制目标 and business metrics: pure computations, no I/O.

Usable on the server and on the device (offline boards). Definitions: docs/targets.md.
"""

from shared.targets.business import BusinessMetrics, business_metrics, business_metrics_all
from shared.targets.escalation import (
    ActionKind,
    EscalationAction,
    EscalationState,
    Streak,
    Track,
    evaluate_escalations,
)
from shared.targets.facts import (
    DEPTH_ROLES,
    CustomerFact,
    DecisionRole,
    OrderFact,
    TouchpointFact,
    TouchpointKind,
    VisitFact,
    local_date,
)
from shared.targets.increment import (
    IncrementPenetration,
    IndustryProgress,
    PenetrationCase,
    increment_penetration,
    increment_penetration_all,
    industry_progress,
)
from shared.targets.index import FactIndex
from shared.targets.lights import Light
from shared.targets.periods import is_month_end, month_ends, month_window, week_ends
from shared.targets.settings import TargetSettings
from shared.targets.stock import (
    CustomerRepurchase,
    StockHealth,
    stock_health,
    stock_health_all,
)

__all__ = [
    "DEPTH_ROLES",
    "ActionKind",
    "BusinessMetrics",
    "CustomerFact",
    "CustomerRepurchase",
    "DecisionRole",
    "EscalationAction",
    "EscalationState",
    "FactIndex",
    "IncrementPenetration",
    "IndustryProgress",
    "Light",
    "OrderFact",
    "PenetrationCase",
    "StockHealth",
    "Streak",
    "TargetSettings",
    "TouchpointFact",
    "TouchpointKind",
    "Track",
    "VisitFact",
    "business_metrics",
    "business_metrics_all",
    "evaluate_escalations",
    "increment_penetration",
    "increment_penetration_all",
    "industry_progress",
    "is_month_end",
    "local_date",
    "month_ends",
    "month_window",
    "stock_health",
    "stock_health_all",
    "week_ends",
]
