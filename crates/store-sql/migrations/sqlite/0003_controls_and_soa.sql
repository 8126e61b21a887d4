-- 0003 controls and SoA (SQLite): each organization's record per Annex A control, its
-- links and status history, approved SoA versions (immutable snapshots), and the
-- review cycles and reviews shared by every subject that is reviewed on a schedule.

CREATE TABLE control_implementations (
    org_id          TEXT   NOT NULL REFERENCES organizations (id),
    control_id      TEXT   NOT NULL,
    applicable      BIGINT NOT NULL CHECK (applicable IN (0, 1)),
    reasons         TEXT   NOT NULL,
    justification   TEXT,
    status          TEXT   NOT NULL CHECK (status IN ('not_started', 'planned', 'partially_implemented', 'implemented', 'not_applicable')),
    owner_id        TEXT   REFERENCES users (id),
    target_date     TEXT,
    implementation  TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (org_id, control_id)
);

CREATE TABLE control_links (
    org_id      TEXT NOT NULL,
    control_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('risk', 'asset', 'document', 'evidence')),
    target_id   TEXT NOT NULL,
    PRIMARY KEY (org_id, control_id, kind, target_id),
    FOREIGN KEY (org_id, control_id) REFERENCES control_implementations (org_id, control_id)
);

CREATE TABLE control_status_history (
    org_id       TEXT   NOT NULL,
    control_id   TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    from_status  TEXT,
    to_status    TEXT   NOT NULL,
    changed_by   TEXT   NOT NULL,
    changed_at   TEXT   NOT NULL,
    PRIMARY KEY (org_id, control_id, seq),
    FOREIGN KEY (org_id, control_id) REFERENCES control_implementations (org_id, control_id)
);

CREATE TABLE soa_versions (
    org_id       TEXT   NOT NULL REFERENCES organizations (id),
    number       BIGINT NOT NULL,
    approved_by  TEXT   NOT NULL,
    approved_at  TEXT   NOT NULL,
    comment      TEXT   NOT NULL,
    content      TEXT   NOT NULL,
    PRIMARY KEY (org_id, number)
);

CREATE TABLE review_cycles (
    org_id           TEXT   NOT NULL REFERENCES organizations (id),
    subject_kind     TEXT   NOT NULL,
    subject_id       TEXT   NOT NULL,
    interval_months  BIGINT NOT NULL CHECK (interval_months > 0),
    warn_days        BIGINT NOT NULL CHECK (warn_days >= 0),
    started_on       TEXT   NOT NULL,
    PRIMARY KEY (org_id, subject_kind, subject_id)
);

CREATE TABLE reviews (
    org_id        TEXT   NOT NULL,
    subject_kind  TEXT   NOT NULL,
    subject_id    TEXT   NOT NULL,
    seq           BIGINT NOT NULL,
    reviewed_on   TEXT   NOT NULL,
    reviewer      TEXT   NOT NULL,
    outcome       TEXT   NOT NULL CHECK (outcome IN ('no_change', 'updated', 'changes_required')),
    comment       TEXT   NOT NULL,
    recorded_at   TEXT   NOT NULL,
    PRIMARY KEY (org_id, subject_kind, subject_id, seq),
    FOREIGN KEY (org_id, subject_kind, subject_id) REFERENCES review_cycles (org_id, subject_kind, subject_id)
);
