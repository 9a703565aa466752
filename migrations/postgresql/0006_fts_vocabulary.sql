-- Near-duplicate candidates (PostgreSQL twin of migrations/sqlite/0006_fts_vocabulary.sql).
-- On SQLite this script creates claims_fts_vocab (fts5vocab "row": the document frequency of every full-text term):
-- near-duplicate detection asks it which words of a new claim are rarest and looks for candidates by those, so that
-- its cost does not grow with the frequency of common words.
-- PostgreSQL has no term-statistics view over a GIN index (ts_stat() reads every row), and does not need one: there,
-- candidates come from trigram similarity on claims.normalized_text, answered by the GIN index below (pg_trgm: the
-- % operator, and similarity() to rank them). Its cost depends on the trigrams of the new text, not on how common
-- its words are, which is what the vocabulary bought on SQLite. Nothing is stored twice: the index is derived from the
-- column. pg_trgm is a trusted extension: the database owner can create it.
-- The name claims_fts_vocab does not exist on PostgreSQL; ix_claims_normalized_text_trgm has no SQLite twin.

CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

CREATE INDEX ix_claims_normalized_text_trgm ON claims USING GIN (normalized_text gin_trgm_ops);
