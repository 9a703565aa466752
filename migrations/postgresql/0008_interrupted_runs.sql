-- Graceful shutdown (ADR 18): a staleness run cut off by a stop or a crash is INTERRUPTED (not FAILED) and runs again
-- as a RETRY run that names it (retry_of). PostgreSQL alters staleness_runs in place: its two named CHECK constraints
-- are dropped and added again with the new values, and retry_of is added (last, as in SQLite's rebuilt table). No rows
-- are copied, and stale_findings and source_checks keep referring to it (SQLite cannot alter a CHECK constraint, so
-- it rebuilds the table with foreign keys off).

ALTER TABLE staleness_runs
    DROP CONSTRAINT staleness_runs_state_check,
    ADD CONSTRAINT staleness_runs_state_check CHECK (state IN ('PENDING','RUNNING','SUCCEEDED','FAILED','INTERRUPTED')),
    DROP CONSTRAINT staleness_runs_trigger_kind_check,
    ADD CONSTRAINT staleness_runs_trigger_kind_check CHECK (trigger_kind IN ('SCHEDULED','MANUAL','RETRY')),
    ADD COLUMN retry_of TEXT COLLATE "C" NULL REFERENCES staleness_runs (id);
CREATE UNIQUE INDEX ux_staleness_runs_retry_of ON staleness_runs (retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX ix_staleness_runs_state ON staleness_runs (state, seq);
