"""Demo targets: ERP orders for the demo stores (when the organisation has none), an attack
pack for one industry, the increment track's three support materials, and a first evaluation
so the boards have numbers at once (``seed-demo`` calls ``seed_targets``)."""

from __future__ import annotations

from datetime import date, timedelta

from sync_server.api.targets import apply_import, load_orders
from sync_server.orders_import import parse_order_records
from sync_server.storage.base import StorageBase
from sync_server.sync.orgdata import get_settings
from sync_server.targets_engine import evaluate_org, yesterday
from sync_server.targets_materials import put_material

PACK_INDUSTRY = "社区医疗"

# (id, title zh, title en, body zh, body en)
_MATERIALS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "pack-community-health", "社区医疗竞品攻坚包", "Community health attack pack",
        "竞品对比：价格、配送时效、账期。首单策略：先以试用装进入科室，两周内回访确认用量。",
        "Competitor comparison: price, delivery time, payment terms. First order: enter with "
        "a trial pack, revisit within two weeks to confirm usage.",
    ),
    (
        "support-first-visit", "新行业首访清单", "First visit checklist for a new industry",
        "首访前确认：决策链（采购负责人、部门总监、分管领导）、预算周期、现有供应商。",
        "Before the first visit: the decision chain (procurement head, department director, "
        "VP), the budget cycle, the current supplier.",
    ),
    (
        "support-proposal", "方案书模板", "Proposal template",
        "方案书结构：客户痛点、我方方案、投入产出、实施计划、报价。",
        "Proposal outline: the customer's pain points, our solution, return on investment, "
        "roll-out plan, price.",
    ),
    (
        "support-objections", "常见异议应答", "Answers to common objections",
        "价格高：强调总成本与服务；已有供应商：建议小批量对比试用；没预算：了解下一预算周期。",
        "Too expensive: total cost and service. Has a supplier: suggest a small side-by-side "
        "trial. No budget: learn the next budget cycle.",
    ),
)  # fmt: skip


def demo_orders(store_ids: list[str], today: date) -> list[dict[str, str]]:
    """Deterministic orders over the last 240 days: even stores every 25 days (green), odd
    stores every 45 days (yellow / red), so the board shows several lights."""
    out = []
    for i, sid in enumerate(store_ids):
        step = 25 if i % 2 == 0 else 45
        day = today - timedelta(days=240 - i)
        n = 0
        while day < today:
            n += 1
            out.append(
                {
                    "erp_order_id": f"DEMO-{sid}-{n:03d}",
                    "customer_id": sid,
                    "ordered_on": day.isoformat(),
                    "amount": f"{100 + 10 * i}.00",
                    "categories": "饮料;零食" if n % 2 else "日化",
                }
            )
            day += timedelta(days=step)
    return out


def seed_targets(storage: StorageBase, org_id: str, store_ids: list[str], by: str = "seed") -> None:
    tz = get_settings(storage, org_id).timezone
    if not load_orders(storage, org_id):
        records = demo_orders(store_ids, yesterday(tz) + timedelta(days=1))
        apply_import(storage, org_id, parse_order_records(records, tz=tz))
    for order, (mid, title_zh, title_en, zh, en) in enumerate(_MATERIALS):
        body = f"{title_zh} / {title_en}\n\n{zh}\n\n{en}\n".encode()
        pack = mid.startswith("pack-")
        put_material(
            storage,
            org_id,
            data=body,
            mime="text/plain; charset=utf-8",
            kind="attack_pack" if pack else "support_material",
            industry=PACK_INDUSTRY if pack else "",
            title_zh=title_zh,
            title_en=title_en,
            filename=f"{mid}.txt",
            material_id=mid,
            order=order,
            by=by,
        )
    evaluate_org(storage, org_id, force=True)
