-- Targets on the server (docs/targets.md "Server"), PostgreSQL. Keep in step with
-- sqlite/0004_targets_server.sql. Materials, snapshots, tasks and deliveries are records
-- (table records), these tables hold what is not synced as a record.
-- Bytes of uploaded materials (attack packs, support materials): content-addressed blobs.
CREATE TABLE target_material_blobs (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, sha256)
);

-- Evaluation periods already run by the scheduler (month:DATE, week:DATE, day:DATE), so a
-- restart never evaluates a period twice.
CREATE TABLE target_periods (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    period_key TEXT NOT NULL,
    evaluated_at DOUBLE PRECISION NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, period_key)
)
