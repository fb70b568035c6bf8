-- Dual-track targets (docs/targets.md), SQLite. Keep in step with postgres/0002_targets.sql.
CREATE TABLE erp_orders (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    erp_order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    ordered_on TEXT NOT NULL,
    amount TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',
    imported_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, erp_order_id)
);

CREATE INDEX erp_orders_customer ON erp_orders (org_id, customer_id, ordered_on);

CREATE TABLE target_escalation_state (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    state TEXT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);

CREATE TABLE target_actions (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    action_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    industry TEXT NOT NULL DEFAULT '',
    as_of TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, action_key)
);
