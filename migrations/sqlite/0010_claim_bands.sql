-- Near-duplicate candidates by MinHash and locality-sensitive hashing (ADR 21), replacing the rare-word look-ups of
-- 0006 (whose claims_fts_vocab nothing reads any more: dropped).
--  * claim_bands: one row per band key of a claim's normalised text (32 per claim with text; the keys are 64-bit
--    hashes, computed in C#: Domain/MinHashBands.cs). Looked up by key, newest claims first, so the primary key is
--    (band_key, claim_seq) and the table has no rowid. Derived from claims.normalized_text, like the full-text index,
--    and written in the same transaction as it; no foreign key, which would cost a look-up per row.
--  * claim_bands_backfill: the claims recorded before this script, still to index (those up to through_seq). SQL
--    cannot compute the keys, so the migrator does it in C# right after the scripts and deletes the row in the
--    transaction that inserts them (Infrastructure/Search/ClaimBandsBackfill.cs). A database with no claims gets no row.
DROP TABLE IF EXISTS claims_fts_vocab;

CREATE TABLE claim_bands (
    band_key  INTEGER NOT NULL,
    claim_seq INTEGER NOT NULL,
    PRIMARY KEY (band_key, claim_seq)
) WITHOUT ROWID;

CREATE TABLE claim_bands_backfill (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    through_seq INTEGER NOT NULL CHECK (through_seq >= 1)
);
INSERT INTO claim_bands_backfill (id, through_seq)
SELECT 1, seq FROM claims ORDER BY seq DESC LIMIT 1;
