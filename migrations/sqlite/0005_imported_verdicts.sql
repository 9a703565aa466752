-- Verdicts imported from other systems keep the rating text they were published with.
ALTER TABLE verdicts ADD COLUMN original_rating TEXT NOT NULL DEFAULT '';
