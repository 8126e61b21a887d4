-- 0005 sessions: server-side login sessions (shared by every replica through the
-- database) and the failed-login log that throttling counts. Only SHA-256 hashes of
-- session tokens are stored; the token itself lives in the browser's cookie.

CREATE TABLE sessions (
    token_hash    TEXT   PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES users (id),
    org_id        TEXT   REFERENCES organizations (id),
    csrf_token    TEXT   NOT NULL,
    created_at    TEXT   NOT NULL,
    expires_at    TEXT   NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_failures (
    id        TEXT   PRIMARY KEY,
    subject   TEXT   NOT NULL,
    at        TEXT   NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures (subject, at);
