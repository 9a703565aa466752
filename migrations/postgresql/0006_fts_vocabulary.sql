-- Near-duplicate candidates (PostgreSQL twin of migrations/sqlite/0006_fts_vocabulary.sql).
-- On SQLite this script creates claims_fts_vocab (fts5vocab "row": the document frequency of every full-text term):
-- near-duplicate detection asks it which words of a new claim are rarest and looks for candidates by those, so that
-- its cost does not grow with the frequency of common words.
-- PostgreSQL needs nothing new for the same scheme: a word's document count is answered by the GIN index on
-- claims.search_vector (0001), capped and cached (Infrastructure/Search/PostgresNearDuplicateCandidates.cs). Trigram
-- similarity (pg_trgm) was measured and not taken: as exhaustive, but 68-680 ms per check at 100k claims, growing with
-- the table (ADR 6). So this script only keeps the numbering of both engines in step.
SELECT 1;
