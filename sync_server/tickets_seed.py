"""Seed ticket configuration: the default root-cause tree, ticket settings and standard answer
scripts 标准应答话术 (with a policy document each) for the article's policy branch."""

from __future__ import annotations

import hashlib

from shared.tickets import (
    AnswerScript,
    PolicyDocument,
    RoutingRule,
    RoutingTable,
    TicketSettings,
    default_root_cause_tree,
)
from sync_server.storage.base import StorageBase
from sync_server.tickets_store import (
    ROUTING_ID,
    SETTINGS_ID,
    TREE_ID,
    put_config_record,
    put_document,
)

# (script id, root cause, English, Chinese, document title en, zh)
_SCRIPTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "kb-catalogue-removed", "policy.insurance_catalogue.removed",
        "The product left the national reimbursement catalogue. Offer the self-pay programme "
        "and the patient assistance plan; the hospital may keep it as a self-pay item.",
        "产品已调出国家医保目录。请向客户介绍自费方案和患者援助计划；医院可作为自费项目保留。",
        "Catalogue adjustment notice", "医保目录调整通知",
    ),
    (
        "kb-payment-cut", "policy.insurance_catalogue.payment_cut",
        "The payment standard was lowered. Our list price is unchanged; explain the patient's "
        "co-payment with the new standard and the price-difference table attached.",
        "医保支付标准已下调。我方挂网价不变；请按新的支付标准向客户说明患者自付部分，并参考附件差价表。",
        "Payment standard table", "支付标准对照表",
    ),
    (
        "kb-price-cap", "policy.vbp_pricing.price_cap",
        "The bid price cap is below our price: do not quote below the approved floor. Escalate "
        "to key accounts with the tender number; the attached pricing rules apply.",
        "最高有效申报价低于我方报价：不得低于公司批准底价报价。请附招标编号上报大客户部，按附件报价规则执行。",
        "Centralized procurement pricing rules", "集采报价规则",
    ),
    (
        "kb-listing-window", "policy.local_admission.listing_window",
        "The provincial listing window was missed. The next window and the documents to prepare "
        "are in the attached calendar; register the hospital's demand now.",
        "已错过省级挂网窗口期。下一窗口期及需准备的材料见附件日程；请先登记医院的采购需求。",
        "Provincial listing calendar", "省级挂网日程",
    ),
)  # fmt: skip


def seed_ticket_config(
    storage: StorageBase, org_id: str, *, owner_id: str | None = None, by: str = "seed"
) -> None:
    """Tree, settings, the policy-branch answer scripts with their documents, and (with
    ``owner_id``) a routing table whose fallback owner is that user (48 h deadline)."""
    scripts = []
    for sid, cause, en, zh, title_en, title_zh in _SCRIPTS:
        body = f"{title_zh} / {title_en}\n\n{zh}\n\n{en}\n".encode()
        sha = hashlib.sha256(body).hexdigest()
        put_document(storage, org_id, body, sha, "text/plain; charset=utf-8", by)
        doc = PolicyDocument(sha256=sha, title_en=title_en, title_zh=title_zh, mime="text/plain")
        scripts.append(
            AnswerScript(id=sid, root_cause_id=cause, text_en=en, text_zh=zh, documents=(doc,))
        )
    tree = default_root_cause_tree()
    with storage.write(org_id) as tx:
        put_config_record(tx, "root_cause_tree", TREE_ID, {"nodes": tree.to_data()}, org_wide=True)
        put_config_record(
            tx, "ticket_settings", SETTINGS_ID, TicketSettings().model_dump(mode="json"),
            org_wide=True,
        )  # fmt: skip
        for script in scripts:
            put_config_record(
                tx, "answer_script", script.id, script.model_dump(mode="json"), org_wide=True
            )
        if owner_id:
            table = RoutingTable(
                rules=(RoutingRule(id="policy-all", problem_type="policy", owner_id=owner_id),),
                fallback_owner_id=owner_id,
            )
            payload = table.model_dump(mode="json")
            put_config_record(tx, "ticket_routing", ROUTING_ID, payload, org_wide=False)
