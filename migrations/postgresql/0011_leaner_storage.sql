-- Fewer bytes per claim (PostgreSQL twin of migrations/sqlite/0011_leaner_storage.sql; see there and ADR 24): drops
-- ix_claims_unverified (its keys are ix_claims_status's) and the hash index ix_claims_normalized_text (claims with the
-- same normalised text are found through claim_bands), and adds the partial index for the empty normalised text.
-- Same names as on SQLite.
DROP INDEX ix_claims_unverified;
DROP INDEX ix_claims_normalized_text;
CREATE INDEX ix_claims_empty_text ON claims (seq) WHERE normalized_text = '';
