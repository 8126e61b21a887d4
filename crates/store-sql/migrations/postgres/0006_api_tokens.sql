-- 0006 API tokens: per-user bearer tokens for one organization, with a role ceiling
-- and an expiry. Only the SHA-256 of a token is stored; it is shown once at creation.

CREATE TABLE api_tokens (
    id            TEXT   PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES users (id),
    org_id        TEXT   NOT NULL REFERENCES organizations (id),
    name          TEXT   NOT NULL,
    token_hash    TEXT   NOT NULL UNIQUE,
    role_ceiling  TEXT   NOT NULL CHECK (role_ceiling IN ('owner', 'isms_manager', 'control_owner', 'contributor', 'auditor', 'viewer')),
    created_at    TEXT   NOT NULL,
    expires_at    TEXT   NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
