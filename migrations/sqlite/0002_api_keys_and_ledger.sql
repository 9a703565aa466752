-- API keys and the tamper-evident ledger.

-- A key is "cl_<id>_<secret>"; only SHA-256(secret) is stored.
CREATE TABLE api_keys (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('READER','CONTRIBUTOR','EDITOR','AUDITOR','ADMIN')),
    secret_sha256 TEXT    NOT NULL CHECK (length(secret_sha256) = 64),
    key_prefix    TEXT    NOT NULL,
    create_time   TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    revoke_time   TEXT    NULL,
    revoked_by    TEXT    NULL,
    revision      INTEGER NOT NULL DEFAULT 1
);

-- One entry per state change, chained by SHA-256. Format: docs/ledger-format.md.
CREATE TABLE ledger_entries (
    sequence      INTEGER PRIMARY KEY CHECK (sequence > 0),
    time          TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    changes       TEXT    NOT NULL,
    previous_hash TEXT    NOT NULL CHECK (length(previous_hash) = 64),
    entry_hash    TEXT    NOT NULL CHECK (length(entry_hash) = 64)
);
CREATE INDEX ix_ledger_subject ON ledger_entries (subject, sequence);
CREATE INDEX ix_ledger_actor ON ledger_entries (actor, sequence);
CREATE INDEX ix_ledger_action ON ledger_entries (action, sequence);
CREATE INDEX ix_ledger_time ON ledger_entries (time, sequence);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
