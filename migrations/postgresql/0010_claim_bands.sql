-- Near-duplicate candidates by MinHash and locality-sensitive hashing (PostgreSQL twin of
-- migrations/sqlite/0010_claim_bands.sql; see there and ADR 21). Differences: BIGINT for INTEGER, named CHECKs;
-- claim_bands is an ordinary table with the same primary key (band_key, claim_seq), which serves the look-ups by key.
-- SQLite also drops claims_fts_vocab, which PostgreSQL never had (its 0006 is a no-op).
CREATE TABLE claim_bands (
    band_key  BIGINT NOT NULL,
    claim_seq BIGINT NOT NULL,
    PRIMARY KEY (band_key, claim_seq)
);

CREATE TABLE claim_bands_backfill (
    id          INTEGER PRIMARY KEY,
    through_seq BIGINT  NOT NULL,
    CONSTRAINT claim_bands_backfill_id_check CHECK (id = 1),
    CONSTRAINT claim_bands_backfill_through_seq_check CHECK (through_seq >= 1)
);
INSERT INTO claim_bands_backfill (id, through_seq)
SELECT 1, seq FROM claims ORDER BY seq DESC LIMIT 1;
