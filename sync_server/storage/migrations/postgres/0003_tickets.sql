-- Issue tickets (docs/tickets.md, docs/sync-protocol.md section 11), PostgreSQL.
-- Keep in step with sqlite/0003_tickets.sql. Tickets and their configuration are records
-- (table records), these tables hold what is not synced as a record.
-- Policy documents of the answer knowledge base: content-addressed blobs.
CREATE TABLE ticket_documents (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, sha256)
);

-- Tickets whose answer the reporter's device has not yet acknowledged in a pull.
CREATE TABLE ticket_deliveries (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    ticket_id TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, ticket_id)
);

CREATE INDEX ticket_deliveries_reporter ON ticket_deliveries (org_id, reporter_id)
