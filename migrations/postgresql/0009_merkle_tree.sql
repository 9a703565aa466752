-- The Merkle tree over the ledger and its signed checkpoints (PostgreSQL twin of migrations/sqlite/0009_merkle_tree.sql;
-- see there). Differences: BYTEA for BLOB, BIGINT for INTEGER, TEXT COLLATE "C", the append-only trigger function of
-- 0001 for checkpoints.
CREATE TABLE merkle_tiles (
    level  INTEGER NOT NULL,
    idx    BIGINT  NOT NULL,
    width  INTEGER NOT NULL,
    hashes BYTEA   NOT NULL,
    PRIMARY KEY (level, idx),
    CONSTRAINT merkle_tiles_width_check CHECK (width BETWEEN 1 AND 256),
    CONSTRAINT merkle_tiles_hashes_check CHECK (octet_length(hashes) = width * 32)
);

CREATE TABLE merkle_tree (
    id          INTEGER          PRIMARY KEY,
    size        BIGINT           NOT NULL,
    root        BYTEA            NOT NULL,
    update_time TEXT COLLATE "C" NOT NULL,
    CONSTRAINT merkle_tree_id_check CHECK (id = 1),
    CONSTRAINT merkle_tree_size_check CHECK (size >= 0),
    CONSTRAINT merkle_tree_root_check CHECK (octet_length(root) = 32)
);
INSERT INTO merkle_tree (id, size, root, update_time)
VALUES (1, 0, '\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'::bytea, '2026-01-01T00:00:00.000000Z');

CREATE TABLE checkpoints (
    tree_size   BIGINT           PRIMARY KEY,
    root        BYTEA            NOT NULL,
    note        TEXT COLLATE "C" NOT NULL,
    key_name    TEXT COLLATE "C" NOT NULL,
    create_time TEXT COLLATE "C" NOT NULL,
    CONSTRAINT checkpoints_tree_size_check CHECK (tree_size >= 1),
    CONSTRAINT checkpoints_root_check CHECK (octet_length(root) = 32)
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION claimledger_append_only('checkpoints are append-only');
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION claimledger_append_only('checkpoints are append-only');
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION claimledger_append_only('checkpoints are append-only');

CREATE TABLE log_keys (
    id           INTEGER          PRIMARY KEY,
    key_name     TEXT COLLATE "C" NOT NULL,
    verifier_key TEXT COLLATE "C" NOT NULL,
    create_time  TEXT COLLATE "C" NOT NULL,
    CONSTRAINT log_keys_id_check CHECK (id = 1)
);
