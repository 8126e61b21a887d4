-- 0002 frameworks (SQLite): frameworks imported or defined by users (installation-wide, next
-- to the shipped ones compiled into the binary), and which frameworks each
-- organization has adopted. ISO/IEC 27001:2022 is always in use and not stored.

CREATE TABLE custom_frameworks (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    origin       TEXT NOT NULL,
    content      TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);

CREATE TABLE org_frameworks (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    framework_id  TEXT NOT NULL,
    adopted_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, framework_id)
);
