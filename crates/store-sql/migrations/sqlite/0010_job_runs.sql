-- 0010 job runs (SQLite): the latest run of each kind of long job (a portfolio
-- simulation) per organization, claimed by the replica that runs it for as long as it
-- renews its lease, so a job runs once however many replicas serve, and any replica
-- shows its progress.

CREATE TABLE job_runs (
    org_id       TEXT   NOT NULL REFERENCES organizations (id),
    kind         TEXT   NOT NULL,
    run          BIGINT NOT NULL,
    owner        TEXT   NOT NULL,
    total        BIGINT NOT NULL,
    done         BIGINT NOT NULL,
    started_at   TEXT   NOT NULL,
    lease_until  TEXT   NOT NULL,
    finished_at  TEXT,
    succeeded    BIGINT,
    message      TEXT,
    PRIMARY KEY (org_id, kind)
);
