-- 0007 id counters (PostgreSQL): the last readable number handed out per organization and
-- kind of record (RSK-012, AST-040, ...). Taken inside the write transaction that
-- creates the record, so two creates never get the same id, and never lowered, so an
-- id of a deleted record is not given to a new one. Counters start from the highest
-- id already stored the first time they are used.

CREATE TABLE id_counters (
    org_id  TEXT   NOT NULL REFERENCES organizations (id),
    kind    TEXT   NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);
