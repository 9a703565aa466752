-- ClaimLedger core schema: claims, sources, evidence, verdicts, history, idempotency.
-- Timestamps are UTC ISO-8601 text with microseconds ('2026-01-02T03:04:05.123456Z'), which sorts correctly.
-- Enumerations are stored by their .proto value names (e.g. 'IN_REVIEW') so the file reads well in sqlite3.
-- Applied scripts are immutable: change the schema with a new numbered file.

CREATE TABLE claims (
    seq                     INTEGER PRIMARY KEY,
    id                      TEXT    NOT NULL UNIQUE,
    text                    TEXT    NOT NULL,
    normalized_text         TEXT    NOT NULL,
    claimant                TEXT    NOT NULL,
    claim_time              TEXT    NULL,
    language_code           TEXT    NOT NULL,
    status                  TEXT    NOT NULL CHECK (status IN ('UNVERIFIED','IN_REVIEW','VERIFIED','STALE','RETRACTED')),
    verdict_id              TEXT    NULL,
    review_interval_seconds INTEGER NULL CHECK (review_interval_seconds IS NULL OR review_interval_seconds > 0),
    retraction_reason       TEXT    NULL,
    retraction_note         TEXT    NULL,
    retraction_duplicate_of TEXT    NULL,
    retraction_actor        TEXT    NULL,
    retract_time            TEXT    NULL,
    create_time             TEXT    NOT NULL,
    update_time             TEXT    NOT NULL,
    revision                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_claims_create_time ON claims (create_time, seq);
CREATE INDEX ix_claims_update_time ON claims (update_time, seq);
CREATE INDEX ix_claims_status ON claims (status, create_time);
CREATE INDEX ix_claims_claimant ON claims (claimant);
CREATE INDEX ix_claims_normalized_text ON claims (normalized_text);

CREATE TABLE claim_topics (
    claim_seq INTEGER NOT NULL REFERENCES claims (seq) ON DELETE CASCADE,
    topic       TEXT    NOT NULL,
    PRIMARY KEY (claim_seq, topic)
) WITHOUT ROWID;
CREATE INDEX ix_claim_topics_topic ON claim_topics (topic, claim_seq);

-- Full-text index over claims (external content: the text lives once, in claims).
CREATE VIRTUAL TABLE claims_fts USING fts5 (
    text,
    claimant,
    content = 'claims',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER claims_fts_after_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claims_fts (rowid, text, claimant) VALUES (new.seq, new.text, new.claimant);
END;
CREATE TRIGGER claims_fts_after_delete AFTER DELETE ON claims BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text, claimant) VALUES ('delete', old.seq, old.text, old.claimant);
END;
CREATE TRIGGER claims_fts_after_update AFTER UPDATE OF text, claimant ON claims BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text, claimant) VALUES ('delete', old.seq, old.text, old.claimant);
    INSERT INTO claims_fts (rowid, text, claimant) VALUES (new.seq, new.text, new.claimant);
END;

CREATE TABLE sources (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    url            TEXT    NULL,
    canonical_url  TEXT    NULL UNIQUE,
    title          TEXT    NOT NULL DEFAULT '',
    publisher      TEXT    NOT NULL DEFAULT '',
    author         TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL CHECK (kind IN ('NEWS_ARTICLE','OFFICIAL_STATEMENT','PRIMARY_DOCUMENT','SOCIAL_POST','DATASET','OTHER')),
    publish_time   TEXT    NULL,
    retrieve_time  TEXT    NULL,
    content_sha256 TEXT    NULL CHECK (content_sha256 IS NULL OR length(content_sha256) = 64),
    archive_url    TEXT    NULL,
    reliability    TEXT    NULL,
    create_time    TEXT    NOT NULL,
    update_time    TEXT    NOT NULL,
    revision       INTEGER NOT NULL DEFAULT 1,
    CHECK (url IS NOT NULL OR content_sha256 IS NOT NULL)
);
CREATE INDEX ix_sources_create_time ON sources (create_time, seq);
-- A URL-less source is identified by its content hash.
CREATE UNIQUE INDEX ux_sources_offline_content ON sources (content_sha256) WHERE canonical_url IS NULL;

CREATE TABLE evidence (
    seq                   INTEGER PRIMARY KEY,
    id                    TEXT    NOT NULL UNIQUE,
    claim_id              TEXT    NOT NULL REFERENCES claims (id),
    source_id             TEXT    NOT NULL REFERENCES sources (id),
    stance                TEXT    NOT NULL CHECK (stance IN ('ORIGIN','SUPPORTS','REFUTES','CONTEXT')),
    excerpt               TEXT    NOT NULL DEFAULT '',
    locator               TEXT    NOT NULL DEFAULT '',
    credibility           TEXT    NULL,
    added_by              TEXT    NOT NULL,
    source_content_sha256 TEXT    NULL,
    create_time           TEXT    NOT NULL,
    remove_time           TEXT    NULL,
    removed_by            TEXT    NULL,
    revision              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_evidence_claim ON evidence (claim_id, seq);
CREATE INDEX ix_evidence_source ON evidence (source_id, claim_id);

-- Verdicts are append-only: a new verdict is a new row; the claim points at its latest.
CREATE TABLE verdicts (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    claim_id    TEXT    NOT NULL REFERENCES claims (id),
    rating      TEXT    NOT NULL CHECK (rating IN ('TRUE','MOSTLY_TRUE','MIXED','MOSTLY_FALSE','FALSE','MISLEADING','UNPROVEN')),
    score       REAL    NULL,
    rationale   TEXT    NOT NULL,
    reviewer    TEXT    NOT NULL,
    create_time TEXT    NOT NULL
);
CREATE INDEX ix_verdicts_claim ON verdicts (claim_id, seq);

CREATE TABLE verdict_evidence (
    verdict_id  TEXT NOT NULL REFERENCES verdicts (id),
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    PRIMARY KEY (verdict_id, evidence_id)
) WITHOUT ROWID;
CREATE INDEX ix_verdict_evidence_evidence ON verdict_evidence (evidence_id);

-- A claim's timeline. Append-only.
CREATE TABLE claim_events (
    seq         INTEGER PRIMARY KEY,
    claim_id    TEXT    NOT NULL REFERENCES claims (id),
    sequence    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    from_status TEXT    NULL,
    to_status   TEXT    NULL,
    verdict_id  TEXT    NULL REFERENCES verdicts (id),
    evidence_id TEXT    NULL REFERENCES evidence (id),
    actor       TEXT    NOT NULL,
    time        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    UNIQUE (claim_id, sequence)
);

CREATE TRIGGER verdicts_no_update BEFORE UPDATE ON verdicts BEGIN
    SELECT RAISE(ABORT, 'verdicts are append-only');
END;
CREATE TRIGGER verdicts_no_delete BEFORE DELETE ON verdicts BEGIN
    SELECT RAISE(ABORT, 'verdicts are append-only');
END;
CREATE TRIGGER verdict_evidence_no_update BEFORE UPDATE ON verdict_evidence BEGIN
    SELECT RAISE(ABORT, 'verdict evidence is append-only');
END;
CREATE TRIGGER verdict_evidence_no_delete BEFORE DELETE ON verdict_evidence BEGIN
    SELECT RAISE(ABORT, 'verdict evidence is append-only');
END;
CREATE TRIGGER claim_events_no_update BEFORE UPDATE ON claim_events BEGIN
    SELECT RAISE(ABORT, 'claim history is append-only');
END;
CREATE TRIGGER claim_events_no_delete BEFORE DELETE ON claim_events BEGIN
    SELECT RAISE(ABORT, 'claim history is append-only');
END;

-- AIP-155 request ids: the first response of a mutating call, replayed on retry.
CREATE TABLE idempotency_keys (
    operation    TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     BLOB NOT NULL,
    create_time  TEXT NOT NULL,
    PRIMARY KEY (operation, request_id)
) WITHOUT ROWID;
