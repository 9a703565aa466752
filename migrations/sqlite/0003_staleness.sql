-- Review policy, staleness runs and findings, source health.

CREATE TABLE review_policy (
    id                              INTEGER PRIMARY KEY CHECK (id = 1),
    default_review_interval_seconds INTEGER NOT NULL CHECK (default_review_interval_seconds > 0),
    unsourced_after_seconds         INTEGER NOT NULL CHECK (unsourced_after_seconds > 0),
    update_time                     TEXT    NOT NULL,
    revision                        INTEGER NOT NULL DEFAULT 1
);
INSERT INTO review_policy (id, default_review_interval_seconds, unsourced_after_seconds, update_time)
VALUES (1, 7776000, 604800, '2026-01-01T00:00:00.000000Z');

CREATE TABLE topic_review_intervals (
    topic            TEXT    NOT NULL PRIMARY KEY,
    interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0)
) WITHOUT ROWID;

ALTER TABLE claims ADD COLUMN unsourced_since TEXT NULL;

ALTER TABLE sources ADD COLUMN health TEXT NOT NULL DEFAULT 'UNCHECKED';
ALTER TABLE sources ADD COLUMN last_check_time TEXT NULL;
ALTER TABLE sources ADD COLUMN last_http_status INTEGER NULL;
ALTER TABLE sources ADD COLUMN final_url TEXT NULL;
ALTER TABLE sources ADD COLUMN last_content_sha256 TEXT NULL;
ALTER TABLE sources ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staleness_runs (
    seq               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    state             TEXT    NOT NULL CHECK (state IN ('PENDING','RUNNING','SUCCEEDED','FAILED')),
    trigger_kind      TEXT    NOT NULL CHECK (trigger_kind IN ('SCHEDULED','MANUAL')),
    checks            TEXT    NOT NULL,
    requested_by      TEXT    NOT NULL,
    create_time       TEXT    NOT NULL,
    start_time        TEXT    NULL,
    end_time          TEXT    NULL,
    claims_examined   INTEGER NOT NULL DEFAULT 0,
    marked_stale      INTEGER NOT NULL DEFAULT 0,
    sources_checked   INTEGER NOT NULL DEFAULT 0,
    sources_ok        INTEGER NOT NULL DEFAULT 0,
    sources_moved     INTEGER NOT NULL DEFAULT 0,
    sources_broken    INTEGER NOT NULL DEFAULT 0,
    sources_changed   INTEGER NOT NULL DEFAULT 0,
    sources_failing   INTEGER NOT NULL DEFAULT 0,
    unsourced_flagged INTEGER NOT NULL DEFAULT 0,
    errors            TEXT    NOT NULL DEFAULT '[]',
    error_count       INTEGER NOT NULL DEFAULT 0
);

-- Why a claim went stale: one row per cause found (append-only).
CREATE TABLE stale_findings (
    seq         INTEGER PRIMARY KEY,
    claim_id    TEXT    NOT NULL REFERENCES claims (id),
    run_id      TEXT    NULL REFERENCES staleness_runs (id),
    reason      TEXT    NOT NULL CHECK (reason IN ('VERDICT_EXPIRED','SOURCE_BROKEN','SOURCE_CHANGED')),
    source_id   TEXT    NULL,
    evidence_id TEXT    NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    time        TEXT    NOT NULL
);
CREATE INDEX ix_stale_findings_claim ON stale_findings (claim_id, seq);
CREATE TRIGGER stale_findings_no_update BEFORE UPDATE ON stale_findings BEGIN
    SELECT RAISE(ABORT, 'stale findings are append-only');
END;
CREATE TRIGGER stale_findings_no_delete BEFORE DELETE ON stale_findings BEGIN
    SELECT RAISE(ABORT, 'stale findings are append-only');
END;

-- Every fetch of a source by the health check (append-only).
CREATE TABLE source_checks (
    seq            INTEGER PRIMARY KEY,
    source_id      TEXT    NOT NULL REFERENCES sources (id),
    run_id         TEXT    NULL REFERENCES staleness_runs (id),
    check_time     TEXT    NOT NULL,
    http_status    INTEGER NULL,
    final_url      TEXT    NULL,
    redirects      TEXT    NOT NULL DEFAULT '[]',
    content_sha256 TEXT    NULL,
    outcome        TEXT    NOT NULL,
    error          TEXT    NULL,
    elapsed_ms     INTEGER NOT NULL
);
CREATE INDEX ix_source_checks_source ON source_checks (source_id, seq);

CREATE INDEX ix_claims_verified_due ON claims (status, verdict_id) WHERE status = 'VERIFIED';
CREATE INDEX ix_claims_unverified ON claims (status, create_time) WHERE status = 'UNVERIFIED';
