-- 0012 check readings (SQLite): every reading of a check (issue 23), kept per organization
-- and check in order. A check fed many times a day gathers thousands of readings over a
-- certificate cycle, so they get a table of their own, appended to and read a page at a
-- time, instead of growing the check's register entry (and its trail entries) each time.

CREATE TABLE check_readings (
    org_id    TEXT   NOT NULL REFERENCES organizations (id),
    check_id  TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    reading   TEXT   NOT NULL,
    PRIMARY KEY (org_id, check_id, seq)
);
