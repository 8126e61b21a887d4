-- 0004 registers (SQLite): the ISMS registers (context issues, interested parties,
-- scope, roles, objectives, assets, the classification scheme) as typed JSON
-- documents, one row per entry, keyed by organization, kind and a readable id.

CREATE TABLE register_entries (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    content     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, id)
);
