-- Fieldledger sync server schema, version 1 (PostgreSQL). Keep in step with sqlite/0001_init.sql.
CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    tombstone_horizon BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    team_id TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (org_id, username)
);

CREATE TABLE devices (
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL,
    last_seen_at DOUBLE PRECISION NOT NULL,
    revoked_at DOUBLE PRECISION,
    PRIMARY KEY (org_id, device_id)
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    revoked_at DOUBLE PRECISION
);

CREATE TABLE login_failures (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE records (
    org_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    server_seq BIGINT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    scope_kind TEXT NOT NULL,
    owner_user_id TEXT NOT NULL DEFAULT '',
    team_id TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    report TEXT,
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, record_type, record_id)
);
CREATE UNIQUE INDEX records_org_seq ON records (org_id, server_seq);
CREATE INDEX records_owner_seq ON records (org_id, owner_user_id, server_seq);
CREATE INDEX records_team_seq ON records (org_id, team_id, server_seq);

CREATE TABLE scope_exits (
    org_id TEXT NOT NULL,
    server_seq BIGINT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    audience_kind TEXT NOT NULL,
    audience_id TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, server_seq, audience_kind, audience_id)
);

CREATE TABLE customer_assignments (
    org_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    team_id TEXT NOT NULL DEFAULT '',
    valid_from DOUBLE PRECISION NOT NULL,
    valid_to DOUBLE PRECISION
);
CREATE INDEX customer_assignments_customer ON customer_assignments (org_id, customer_id);

CREATE TABLE device_outcomes (
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    record_type TEXT NOT NULL DEFAULT '',
    record_id TEXT NOT NULL DEFAULT '',
    server_seq BIGINT,
    version BIGINT,
    code TEXT,
    message TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, device_id, seq)
);

CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    base_value TEXT,
    server_value TEXT,
    device_value TEXT,
    device_id TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL DEFAULT '',
    team_id TEXT NOT NULL DEFAULT '',
    owner_user_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    resolution TEXT,
    resolved_by TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    resolved_at DOUBLE PRECISION
);
CREATE INDEX conflicts_org ON conflicts (org_id, status);

CREATE TABLE visit_photos (
    org_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    PRIMARY KEY (org_id, sha256, visit_id)
);

CREATE TABLE photo_uploads (
    org_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL,
    completed_at DOUBLE PRECISION,
    PRIMARY KEY (org_id, sha256)
);
