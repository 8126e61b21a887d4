-- 0013 external auditors: a certification body's auditor joins an organization with
-- the role external_auditor, which opens only the audits they are invited to (their
-- access is an `audit_access` register entry with its window). SQLite cannot change a
-- CHECK constraint, so the two tables are rebuilt with the wider one.

CREATE TABLE memberships_0013 (
    org_id   TEXT NOT NULL REFERENCES organizations (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer', 'external_auditor')),
    since    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
INSERT INTO memberships_0013 (org_id, user_id, role, since) SELECT org_id, user_id, role, since FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_0013 RENAME TO memberships;
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations_0013 (
    id            TEXT   PRIMARY KEY,
    org_id        TEXT   NOT NULL REFERENCES organizations (id),
    email         TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer', 'external_auditor')),
    token_hash    TEXT   NOT NULL UNIQUE,
    invited_by    TEXT   NOT NULL,
    created_at    TEXT   NOT NULL,
    expires_at    TEXT   NOT NULL,
    accepted_at   TEXT,
    accepted_by   TEXT   REFERENCES users (id),
    revoked_at    TEXT
);
INSERT INTO invitations_0013 (id, org_id, email, name, role, token_hash, invited_by, created_at, expires_at,
                              accepted_at, accepted_by, revoked_at)
    SELECT id, org_id, email, name, role, token_hash, invited_by, created_at, expires_at,
           accepted_at, accepted_by, revoked_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_0013 RENAME TO invitations;
CREATE INDEX invitations_by_org ON invitations (org_id, created_at);
CREATE INDEX invitations_by_email ON invitations (email);
