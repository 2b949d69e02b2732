-- Core relational tables (both back ends).
CREATE TABLE IF NOT EXISTS sites (
    site_id     text PRIMARY KEY,
    name        text NOT NULL,
    area        text NOT NULL DEFAULT '',
    lat         double precision,
    lon         double precision,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cameras (
    camera_id   text PRIMARY KEY,
    site_id     text NOT NULL REFERENCES sites(site_id),
    name        text NOT NULL DEFAULT '',
    bearing     integer,
    lanes       integer NOT NULL DEFAULT 1,
    direction   text NOT NULL DEFAULT 'both',
    heartbeat_interval_s real NOT NULL DEFAULT 30
);
CREATE INDEX IF NOT EXISTS cameras_site ON cameras(site_id);

CREATE TABLE IF NOT EXISTS agents (
    site_id            text NOT NULL,
    agent_id           text NOT NULL,
    state              text NOT NULL DEFAULT 'unknown',
    status_at          timestamptz,
    last_heartbeat_at  timestamptz,
    interval_s         real,
    clock_offset_s     real,
    agent_version      text,
    PRIMARY KEY (site_id, agent_id)
);

-- Current state per camera: UP, DEGRADED, DOWN, MAINTENANCE.
CREATE TABLE IF NOT EXISTS camera_state (
    camera_id          text PRIMARY KEY REFERENCES cameras(camera_id),
    state              text NOT NULL DEFAULT 'UP'
                       CHECK (state IN ('UP', 'DEGRADED', 'DOWN', 'MAINTENANCE')),
    since              timestamptz NOT NULL DEFAULT now(),
    reason             text NOT NULL DEFAULT '',
    agent_id           text,
    last_heartbeat_at  timestamptz,
    last_frame_at      timestamptz,
    fps                real,
    camera_reported    text,
    maintenance        boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS incidents (
    incident_id      bigserial PRIMARY KEY,
    camera_id        text NOT NULL REFERENCES cameras(camera_id),
    site_id          text NOT NULL,
    state            text NOT NULL,
    cause            text NOT NULL,
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    acknowledged_by  text,
    acknowledged_at  timestamptz
);
CREATE INDEX IF NOT EXISTS incidents_camera ON incidents(camera_id, started_at);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open ON incidents(camera_id) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS hotlists (
    list_id            serial PRIMARY KEY,
    name               text NOT NULL UNIQUE,
    owner              text NOT NULL DEFAULT '',
    priority           integer NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 9),
    match_mode         text NOT NULL DEFAULT 'lenient' CHECK (match_mode IN ('exact', 'lenient')),
    max_substitutions  integer NOT NULL DEFAULT 1 CHECK (max_substitutions BETWEEN 0 AND 3),
    wide_classes       boolean NOT NULL DEFAULT false,
    max_age_s          integer NOT NULL DEFAULT 86400,
    current_revision   integer NOT NULL DEFAULT 0,
    refreshed_at       timestamptz
);

CREATE TABLE IF NOT EXISTS hotlist_entries (
    entry_id         bigserial PRIMARY KEY,
    list_id          integer NOT NULL REFERENCES hotlists(list_id),
    revision         integer NOT NULL,
    vrm              text NOT NULL,
    make             text NOT NULL DEFAULT '',
    model            text NOT NULL DEFAULT '',
    colour           text NOT NULL DEFAULT '',
    action           text NOT NULL DEFAULT '',
    warning_markers  text[] NOT NULL DEFAULT '{}',
    reason           text NOT NULL DEFAULT '',
    grading          text NOT NULL DEFAULT '',
    information      text NOT NULL DEFAULT '',
    force_area       text NOT NULL DEFAULT '',
    weed_date        date,
    source_ref       text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS hotlist_entries_rev ON hotlist_entries(list_id, revision);

CREATE TABLE IF NOT EXISTS hits (
    hit_id               bigserial PRIMARY KEY,
    read_id              uuid NOT NULL,
    captured_at          timestamptz NOT NULL,
    list_id              integer NOT NULL,
    revision             integer NOT NULL,
    entry_id             bigint NOT NULL,
    match_type           text NOT NULL CHECK (match_type IN ('exact', 'fuzzy')),
    differing_positions  integer[] NOT NULL DEFAULT '{}',
    vrm_read             text NOT NULL,
    vrm_listed           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (read_id, entry_id)
);

CREATE TABLE IF NOT EXISTS alerts (
    alert_id      uuid PRIMARY KEY,
    hit_id        bigint NOT NULL REFERENCES hits(hit_id),
    priority      integer NOT NULL,
    state         text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'acknowledged', 'closed')),
    disposition   text CHECK (disposition IN ('confirmed', 'misread', 'no_action', 'actioned')),
    acknowledged_by text,
    acknowledged_at timestamptz,
    disposed_by   text,
    disposed_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    message       jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_recent ON alerts(created_at DESC);

CREATE TABLE IF NOT EXISTS webhooks (
    webhook_id   serial PRIMARY KEY,
    url          text NOT NULL UNIQUE,
    min_priority integer NOT NULL DEFAULT 9,
    enabled      boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id  bigserial PRIMARY KEY,
    webhook_id   integer NOT NULL REFERENCES webhooks(webhook_id),
    alert_id     uuid NOT NULL REFERENCES alerts(alert_id),
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    UNIQUE (webhook_id, alert_id)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id           bigserial PRIMARY KEY,
    received_at  timestamptz NOT NULL DEFAULT now(),
    topic        text NOT NULL,
    reason       text NOT NULL,
    field        text NOT NULL DEFAULT '',
    payload      bytea NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    user_id        serial PRIMARY KEY,
    username       text NOT NULL UNIQUE,
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('operator', 'supervisor', 'engineer', 'auditor', 'admin')),
    extended       boolean NOT NULL DEFAULT false,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES users(user_id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES users(user_id),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Inspector's authorisation for searches reaching past 90 days.
CREATE TABLE IF NOT EXISTS authorisations (
    auth_id      bigserial PRIMARY KEY,
    user_id      integer NOT NULL REFERENCES users(user_id),
    authoriser   text NOT NULL,
    reason       text NOT NULL,
    case_ref     text NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained audit trail.
CREATE TABLE IF NOT EXISTS audit_log (
    seq        bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor      text NOT NULL,
    action     text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}',
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);

CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- Reads preserved for an investigation survive retention.
CREATE TABLE IF NOT EXISTS preserved_reads (
    read_id      uuid PRIMARY KEY,
    captured_at  timestamptz NOT NULL,
    case_ref     text NOT NULL,
    preserved_by text NOT NULL,
    preserved_at timestamptz NOT NULL DEFAULT now(),
    data         jsonb NOT NULL,
    plate_jpeg   bytea,
    overview_jpeg bytea
);

CREATE TABLE IF NOT EXISTS read_rollup_hourly (
    camera_id   text NOT NULL,
    hour        timestamptz NOT NULL,
    reads       integer NOT NULL DEFAULT 0,
    late_reads  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (camera_id, hour)
);
