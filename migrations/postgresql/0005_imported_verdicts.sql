-- Verdicts imported from other systems keep the rating text they were published with.
-- PostgreSQL: as on SQLite (TEXT COLLATE "C", as every text column). Adding a column with a constant default rewrites
-- no row and fires no trigger, so the append-only triggers of verdicts are not involved.
ALTER TABLE verdicts ADD COLUMN original_rating TEXT COLLATE "C" NOT NULL DEFAULT '';
