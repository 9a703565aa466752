-- Request ids expire (ADR 25): the background purge deletes the records older than Idempotency:Retention, oldest
-- first, in small batches. This index lets each batch read just the expired rows instead of scanning the table.
CREATE INDEX ix_idempotency_keys_create_time ON idempotency_keys (create_time);
