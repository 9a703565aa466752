-- Fewer bytes per claim (ADR 24): two indexes of claims that cost more than they served.
--  * ix_claims_unverified (status, create_time) WHERE status = 'UNVERIFIED' held the same keys as ix_claims_status
--    (status, create_time) for every unverified claim — most claims of a growing ledger. Every query that used it is
--    served by ix_claims_status (same columns, same order).
--  * ix_claims_normalized_text held a copy of every claim's normalised text (about as large as the text itself) for
--    one look-up: claims with exactly the same normalised text (SimilarClaims). Equal normalised texts have equal
--    MinHash band keys, so that look-up now goes through claim_bands (0010), by the text's first key, and compares the
--    text; only the empty normalised text has no keys, and ix_claims_empty_text finds those claims.
-- The file keeps its size: SQLite reuses the freed pages for the rows that follow (VACUUM returns them at once).
DROP INDEX ix_claims_unverified;
DROP INDEX ix_claims_normalized_text;
CREATE INDEX ix_claims_empty_text ON claims (seq) WHERE normalized_text = '';
