-- Quartz.NET 4.x AdoJobStore tables (table prefix QRTZ_, which PostgreSQL folds to the lower-case qrtz_ tables created
-- here), in the same database as the ledger, so schedules, fired triggers and misfires survive restarts and the
-- instances sharing the database form one Quartz cluster. Same tables, columns and indexes as
-- migrations/sqlite/0004_quartz_job_store.sql: the schema Quartz.NET 4.7 validates at start-up, including the 4.0
-- (retry, execution group, preferred node, paused job groups), 4.2 (continuations), 4.3 (overlap policy, pause
-- reason, fire progress), 4.6 (scheduler version, interrupt request, per-trigger misfire threshold) and 4.7 (fixed
-- delay) additions. Execution-history tables are not created: that optional feature is off.
-- What differs on PostgreSQL, and why:
--  * Column types are those of Quartz.NET 4.7.3's own PostgreSQL schema (the create_postgres.sql embedded in
--    Quartz.dll, which its PostgreSQL delegate is written against; apart from the history tables it has exactly this
--    script's tables, columns and index names): TEXT names, BOOL for BIT flags, BYTEA for BLOB, BIGINT times (.NET
--    ticks, so misfire_orig_fire_time is BIGINT: ticks do not fit a 32-bit INTEGER), SMALLINT misfire_instr. As in
--    that schema, qrtz_fired_triggers.is_nonconcurrent is NOT NULL (Quartz always writes it).
--  * No QRTZ_DELETE_*_TRIGGER triggers: they exist on SQLite only because SQLite cascades only with foreign keys on.
--    PostgreSQL always enforces the ON DELETE CASCADE foreign keys below.
--  * qrtz_locks is seeded with the row locks a clustered scheduler takes (TRIGGER_ACCESS and STATE_ACCESS, the only
--    two Quartz.NET 4.7 uses) for the scheduler named claimledger (Staleness:SchedulerName). Quartz inserts missing
--    lock rows itself (ON CONFLICT DO NOTHING); seeding them keeps the first start-ups of several instances from
--    racing to insert them.
-- Quartz's own tables are left in the database's default collation, as Quartz creates them.

CREATE TABLE qrtz_job_details (
    sched_name        TEXT  NOT NULL,
    job_name          TEXT  NOT NULL,
    job_group         TEXT  NOT NULL,
    description       TEXT  NULL,
    job_class_name    TEXT  NOT NULL,
    is_durable        BOOL  NOT NULL,
    is_nonconcurrent  BOOL  NOT NULL,
    is_update_data    BOOL  NOT NULL,
    requests_recovery BOOL  NOT NULL,
    job_data          BYTEA NULL,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE qrtz_triggers (
    sched_name              TEXT         NOT NULL,
    trigger_name            TEXT         NOT NULL,
    trigger_group           TEXT         NOT NULL,
    job_name                TEXT         NOT NULL,
    job_group               TEXT         NOT NULL,
    description             TEXT         NULL,
    next_fire_time          BIGINT       NULL,
    prev_fire_time          BIGINT       NULL,
    priority                INTEGER      NULL,
    trigger_state           TEXT         NOT NULL,
    trigger_type            TEXT         NOT NULL,
    start_time              BIGINT       NOT NULL,
    end_time                BIGINT       NULL,
    calendar_name           TEXT         NULL,
    misfire_instr           SMALLINT     NULL,
    misfire_orig_fire_time  BIGINT       NULL,
    execution_group         VARCHAR(200) NULL,
    preferred_node          VARCHAR(200) NULL,
    preferred_node_auto     BOOL         NOT NULL DEFAULT FALSE,
    retry_policy            VARCHAR(250) NULL,
    retry_attempt           INTEGER      NULL,
    continues_trigger_name  TEXT         NULL,
    continues_trigger_group TEXT         NULL,
    continuation_condition  INTEGER      NULL,
    overlap_policy          INTEGER      NULL,
    pause_reason            VARCHAR(250) NULL,
    paused_by               VARCHAR(200) NULL,
    paused_at               BIGINT       NULL,
    misfire_threshold       BIGINT       NULL,
    fixed_delay             BOOL         NULL,
    job_data                BYTEA        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE qrtz_simple_triggers (
    sched_name      TEXT   NOT NULL,
    trigger_name    TEXT   NOT NULL,
    trigger_group   TEXT   NOT NULL,
    repeat_count    BIGINT NOT NULL,
    repeat_interval BIGINT NOT NULL,
    times_triggered BIGINT NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_simprop_triggers (
    sched_name    TEXT    NOT NULL,
    trigger_name  TEXT    NOT NULL,
    trigger_group TEXT    NOT NULL,
    str_prop_1    TEXT    NULL,
    str_prop_2    TEXT    NULL,
    str_prop_3    TEXT    NULL,
    int_prop_1    INTEGER NULL,
    int_prop_2    INTEGER NULL,
    long_prop_1   BIGINT  NULL,
    long_prop_2   BIGINT  NULL,
    dec_prop_1    NUMERIC NULL,
    dec_prop_2    NUMERIC NULL,
    bool_prop_1   BOOL    NULL,
    bool_prop_2   BOOL    NULL,
    time_zone_id  TEXT    NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_cron_triggers (
    sched_name      TEXT NOT NULL,
    trigger_name    TEXT NOT NULL,
    trigger_group   TEXT NOT NULL,
    cron_expression TEXT NOT NULL,
    time_zone_id    TEXT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_blob_triggers (
    sched_name    TEXT  NOT NULL,
    trigger_name  TEXT  NOT NULL,
    trigger_group TEXT  NOT NULL,
    blob_data     BYTEA NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_calendars (
    sched_name    TEXT  NOT NULL,
    calendar_name TEXT  NOT NULL,
    calendar      BYTEA NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE qrtz_paused_trigger_grps (
    sched_name    TEXT         NOT NULL,
    trigger_group TEXT         NOT NULL,
    pause_reason  VARCHAR(250) NULL,
    paused_by     VARCHAR(200) NULL,
    paused_at     BIGINT       NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE qrtz_paused_job_grps (
    sched_name   TEXT         NOT NULL,
    job_group    TEXT         NOT NULL,
    pause_reason VARCHAR(250) NULL,
    paused_by    VARCHAR(200) NULL,
    paused_at    BIGINT       NULL,
    PRIMARY KEY (sched_name, job_group)
);

CREATE TABLE qrtz_fired_triggers (
    sched_name               TEXT         NOT NULL,
    entry_id                 TEXT         NOT NULL,
    trigger_name             TEXT         NOT NULL,
    trigger_group            TEXT         NOT NULL,
    instance_name            TEXT         NOT NULL,
    fired_time               BIGINT       NOT NULL,
    sched_time               BIGINT       NOT NULL,
    priority                 INTEGER      NOT NULL,
    state                    TEXT         NOT NULL,
    job_name                 TEXT         NULL,
    job_group                TEXT         NULL,
    is_nonconcurrent         BOOL         NOT NULL,
    requests_recovery        BOOL         NULL,
    execution_group          VARCHAR(200) NULL,
    progress                 INTEGER      NULL,
    progress_message         VARCHAR(250) NULL,
    interrupt_requested_time BIGINT       NULL,
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE qrtz_scheduler_state (
    sched_name        TEXT        NOT NULL,
    instance_name     TEXT        NOT NULL,
    last_checkin_time BIGINT      NOT NULL,
    checkin_interval  BIGINT      NOT NULL,
    quartz_version    VARCHAR(20) NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE qrtz_locks (
    sched_name TEXT NOT NULL,
    lock_name  TEXT NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);
INSERT INTO qrtz_locks (sched_name, lock_name)
VALUES ('claimledger', 'TRIGGER_ACCESS'), ('claimledger', 'STATE_ACCESS')
ON CONFLICT DO NOTHING;

CREATE INDEX idx_qrtz_j_g_n ON qrtz_job_details (sched_name, job_group, job_name);
CREATE INDEX idx_qrtz_t_j ON qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_t_g_n ON qrtz_triggers (sched_name, trigger_group, trigger_name);
CREATE INDEX idx_qrtz_t_c ON qrtz_triggers (sched_name, calendar_name);
CREATE INDEX idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time ASC, priority DESC, misfire_instr);
CREATE INDEX idx_qrtz_ft_inst_job_req_rcvry ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX idx_qrtz_ft_j_g ON qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_ft_t_g ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
