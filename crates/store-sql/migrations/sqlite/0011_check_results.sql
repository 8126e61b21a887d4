-- 0011 check results (SQLite): each result of an ingested scanner or test run (issue 23),
-- kept per organization and run (the run itself is a register entry, RUN-001, with
-- the evidence item holding the file). A run holds up to hundreds of thousands of
-- results, so they get a table of their own, written in batches.

CREATE TABLE check_results (
    org_id    TEXT   NOT NULL REFERENCES organizations (id),
    run_id    TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    rule      TEXT   NOT NULL,
    title     TEXT   NOT NULL,
    target    TEXT   NOT NULL,
    outcome   TEXT   NOT NULL,
    severity  TEXT   NOT NULL,
    message   TEXT   NOT NULL,
    refs      TEXT   NOT NULL,
    PRIMARY KEY (org_id, run_id, seq)
);

CREATE INDEX check_results_by_rule ON check_results (org_id, rule);
