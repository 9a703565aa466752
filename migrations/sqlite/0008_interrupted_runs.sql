-- Graceful shutdown (ADR 18): a staleness run cut off by a stop or a crash is INTERRUPTED (not FAILED) and runs again
-- as a RETRY run that names it (retry_of). SQLite cannot alter a CHECK constraint, so staleness_runs is rebuilt (the
-- migrator runs with foreign keys off and checks them afterwards; stale_findings and source_checks refer to it by id).

CREATE TABLE staleness_runs_rebuilt (
    seq               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    state             TEXT    NOT NULL CHECK (state IN ('PENDING','RUNNING','SUCCEEDED','FAILED','INTERRUPTED')),
    trigger_kind      TEXT    NOT NULL CHECK (trigger_kind IN ('SCHEDULED','MANUAL','RETRY')),
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
    error_count       INTEGER NOT NULL DEFAULT 0,
    retry_of          TEXT    NULL REFERENCES staleness_runs (id)
);
INSERT INTO staleness_runs_rebuilt (seq, id, state, trigger_kind, checks, requested_by, create_time, start_time, end_time,
    claims_examined, marked_stale, sources_checked, sources_ok, sources_moved, sources_broken, sources_changed,
    sources_failing, unsourced_flagged, errors, error_count)
SELECT seq, id, state, trigger_kind, checks, requested_by, create_time, start_time, end_time,
    claims_examined, marked_stale, sources_checked, sources_ok, sources_moved, sources_broken, sources_changed,
    sources_failing, unsourced_flagged, errors, error_count
FROM staleness_runs;
DROP TABLE staleness_runs;
ALTER TABLE staleness_runs_rebuilt RENAME TO staleness_runs;
CREATE UNIQUE INDEX ux_staleness_runs_retry_of ON staleness_runs (retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX ix_staleness_runs_state ON staleness_runs (state, seq);
