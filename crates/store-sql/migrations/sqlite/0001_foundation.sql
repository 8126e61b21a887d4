-- 0001 foundation (SQLite): the workspace marker, organizations (tenants), user
-- accounts, memberships with roles, and each organization's hash-chained audit trail.
-- Identifiers are UUID text; instants are RFC 3339 UTC text with microseconds, which
-- sorts in time order. Booleans are 0/1 BIGINT (the Any driver reads no SQLite BOOLEAN).

CREATE TABLE workspace (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    kind        TEXT    NOT NULL CHECK (kind IN ('standard', 'demo')),
    created_at  TEXT    NOT NULL
);

CREATE TABLE organizations (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE TABLE users (
    id             TEXT    PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    disabled       BIGINT  NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT    NOT NULL
);

CREATE TABLE memberships (
    org_id   TEXT NOT NULL REFERENCES organizations (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer')),
    since    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE trail_heads (
    org_id  TEXT   PRIMARY KEY REFERENCES organizations (id),
    seq     BIGINT NOT NULL,
    hash    TEXT   NOT NULL
);

CREATE TABLE trail_entries (
    org_id        TEXT   NOT NULL REFERENCES organizations (id),
    seq           BIGINT NOT NULL,
    at            TEXT   NOT NULL,
    actor         TEXT   NOT NULL,
    action        TEXT   NOT NULL,
    entity        TEXT   NOT NULL,
    entity_id     TEXT   NOT NULL,
    before_state  TEXT,
    after_state   TEXT,
    prev_hash     TEXT   NOT NULL,
    hash          TEXT   NOT NULL,
    PRIMARY KEY (org_id, seq)
);
