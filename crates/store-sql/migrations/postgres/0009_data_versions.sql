-- 0009 data versions (PostgreSQL): a number per organization that every committed write of
-- its data raises, so that a replica can keep what it read (decoded registers, the
-- control records) and know with one read whether it is still current. Kept on the
-- trail head, the row every writer of the organization already takes its turn on.
-- Also an index for "what changed since a date" on the trail.

ALTER TABLE trail_heads ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX trail_entries_by_time ON trail_entries (org_id, at);
