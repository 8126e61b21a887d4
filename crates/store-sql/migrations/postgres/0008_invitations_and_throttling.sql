-- 0008 security hardening: invitations (a person joins by a one-time link and sets
-- their own password; only the link's SHA-256 is stored), token kinds (calendar feed
-- tokens open nothing but the feed), and sign-in throttling with one row per counted
-- subject, locked while an attempt is checked so that parallel attempts are counted
-- one after another on every engine.

CREATE TABLE invitations (
    id            TEXT   PRIMARY KEY,
    org_id        TEXT   NOT NULL REFERENCES organizations (id),
    email         TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer')),
    token_hash    TEXT   NOT NULL UNIQUE,
    invited_by    TEXT   NOT NULL,
    created_at    TEXT   NOT NULL,
    expires_at    TEXT   NOT NULL,
    accepted_at   TEXT,
    accepted_by   TEXT   REFERENCES users (id),
    revoked_at    TEXT
);
CREATE INDEX invitations_by_org ON invitations (org_id, created_at);
CREATE INDEX invitations_by_email ON invitations (email);

ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'calendar'));
-- The calendar addresses made before token kinds existed keep working in calendars
-- and stop opening the read API.
UPDATE api_tokens SET kind = 'calendar' WHERE name = 'Calendar subscription' AND role_ceiling = 'viewer';

DROP TABLE login_failures;
CREATE TABLE login_throttle (
    subject          TEXT    PRIMARY KEY,
    failures         BIGINT  NOT NULL,
    last_failure_at  TEXT,
    blocked_until    TEXT
);

-- The addresses each account has signed in from: guessing an account's password from
-- new addresses never holds back its sign-ins from these.
CREATE TABLE sign_in_addresses (
    user_id  TEXT  NOT NULL REFERENCES users (id),
    address  TEXT  NOT NULL,
    last_at  TEXT  NOT NULL,
    PRIMARY KEY (user_id, address)
);
