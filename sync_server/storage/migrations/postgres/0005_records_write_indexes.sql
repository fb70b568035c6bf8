-- Indexes on records that no query uses, dropped: every stored record (a pushed visit) paid
-- for two more index entries. Keep in step with sqlite/0005_records_write_indexes.sql.
-- Pulls walk records_org_seq on both backends, a rep's and a manager's alike: the scope is a
-- filter on that walk. The few queries by owner read the primary key's (org_id,
-- record_type) prefix. docs/deployment.md section 6 says why.
DROP INDEX IF EXISTS records_owner_seq;
DROP INDEX IF EXISTS records_team_seq;
