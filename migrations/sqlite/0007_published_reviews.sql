-- Fact-check archives imported faithfully (docs/adr/0017-claimreview-import.md).
--  * published_reviews: a fact-check as its publisher published it (schema.org ClaimReview): URL, date, author,
--    publisher, language, title and rating (label, value, scale, and our reading of it; NULL rating = unmapped).
--    Append-only. Parties (author, publisher) are JSON objects {"name","type","url","same_as"}.
--  * evidence gains the FACT_CHECK stance (a prior fact-check, never our verdict) and the review it carries.
--    SQLite cannot alter a CHECK constraint, so the table is rebuilt (the migrator runs scripts with foreign keys
--    off and runs foreign_key_check after them).
--  * verdicts imported from our own archive point at the review as we published it.
--  * claims keep their claimants as structured parties (JSON array) and where their language came from.

CREATE TABLE published_reviews (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    url           TEXT    NOT NULL DEFAULT '',
    publish_time  TEXT    NULL,
    author        TEXT    NULL,
    publisher     TEXT    NULL,
    language_code TEXT    NOT NULL DEFAULT '',
    headline      TEXT    NOT NULL DEFAULT '',
    rating_label  TEXT    NOT NULL DEFAULT '',
    rating_value  REAL    NULL,
    rating_best   REAL    NULL,
    rating_worst  REAL    NULL,
    rating        TEXT    NULL CHECK (rating IS NULL OR rating IN ('TRUE','MOSTLY_TRUE','MIXED','MOSTLY_FALSE','FALSE','MISLEADING','UNPROVEN')),
    create_time   TEXT    NOT NULL
);
CREATE TRIGGER published_reviews_no_update BEFORE UPDATE ON published_reviews BEGIN
    SELECT RAISE(ABORT, 'published reviews are append-only');
END;
CREATE TRIGGER published_reviews_no_delete BEFORE DELETE ON published_reviews BEGIN
    SELECT RAISE(ABORT, 'published reviews are append-only');
END;

CREATE TABLE evidence_rebuilt (
    seq                   INTEGER PRIMARY KEY,
    id                    TEXT    NOT NULL UNIQUE,
    claim_id              TEXT    NOT NULL REFERENCES claims (id),
    source_id             TEXT    NOT NULL REFERENCES sources (id),
    stance                TEXT    NOT NULL CHECK (stance IN ('ORIGIN','SUPPORTS','REFUTES','CONTEXT','FACT_CHECK')),
    excerpt               TEXT    NOT NULL DEFAULT '',
    locator               TEXT    NOT NULL DEFAULT '',
    credibility           TEXT    NULL,
    added_by              TEXT    NOT NULL,
    source_content_sha256 TEXT    NULL,
    create_time           TEXT    NOT NULL,
    remove_time           TEXT    NULL,
    removed_by            TEXT    NULL,
    revision              INTEGER NOT NULL DEFAULT 1,
    review_id             TEXT    NULL REFERENCES published_reviews (id),
    CHECK (review_id IS NULL OR stance = 'FACT_CHECK')
);
INSERT INTO evidence_rebuilt (seq, id, claim_id, source_id, stance, excerpt, locator, credibility, added_by,
                              source_content_sha256, create_time, remove_time, removed_by, revision)
SELECT seq, id, claim_id, source_id, stance, excerpt, locator, credibility, added_by,
       source_content_sha256, create_time, remove_time, removed_by, revision
FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_rebuilt RENAME TO evidence;
CREATE INDEX ix_evidence_claim ON evidence (claim_id, seq);
CREATE INDEX ix_evidence_source ON evidence (source_id, claim_id);

ALTER TABLE verdicts ADD COLUMN review_id TEXT NULL REFERENCES published_reviews (id);

ALTER TABLE claims ADD COLUMN claimants TEXT NULL;
ALTER TABLE claims ADD COLUMN language_origin TEXT NULL
    CHECK (language_origin IS NULL OR language_origin IN ('GIVEN','DECLARED','INHERITED','DETECTED'));
