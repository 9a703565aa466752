-- Document frequency of every full-text term (fts5vocab "row": term, doc, cnt). Near-duplicate detection asks it
-- which words of a new claim are rarest and looks for candidates by those, so that its cost does not grow with
-- the frequency of common words. Read-only view over the index; nothing is stored twice.
CREATE VIRTUAL TABLE claims_fts_vocab USING fts5vocab (claims_fts, 'row');
