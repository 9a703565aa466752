-- The Merkle tree over the ledger (RFC 9162 hashing; docs/ledger-format.md, "The Merkle tree") and its signed
-- checkpoints. Derived from ledger_entries by one integrator after commit (the write path is unchanged); an existing
-- ledger is integrated from size 0 after this upgrade.
--  * merkle_tiles: the tree in the C2SP tlog-tiles layout, one row per (level, index): up to 256 hashes of tree level
--    8·level; a partial tile on the right edge is replaced by a wider one as the tree grows.
--  * merkle_tree: how many entries are integrated, and the root of that tree.
--  * checkpoints: every signed checkpoint (C2SP tlog-checkpoint in a signed note), kept; append-only.
--  * log_keys: the verifier key the checkpoints are signed with (public; the private key is a file of the server's).
CREATE TABLE merkle_tiles (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    width  INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
    hashes BLOB    NOT NULL CHECK (length(hashes) = width * 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE merkle_tree (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    size        INTEGER NOT NULL CHECK (size >= 0),
    root        BLOB    NOT NULL CHECK (length(root) = 32),
    update_time TEXT    NOT NULL
);
-- The empty tree: its root is SHA-256 of nothing.
INSERT INTO merkle_tree (id, size, root, update_time)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '2026-01-01T00:00:00.000000Z');

CREATE TABLE checkpoints (
    tree_size   INTEGER PRIMARY KEY CHECK (tree_size >= 1),
    root        BLOB    NOT NULL CHECK (length(root) = 32),
    note        TEXT    NOT NULL,
    key_name    TEXT    NOT NULL,
    create_time TEXT    NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;

-- One log, one key: the first instance to start registers it.
CREATE TABLE log_keys (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    key_name     TEXT    NOT NULL,
    verifier_key TEXT    NOT NULL,
    create_time  TEXT    NOT NULL
);
