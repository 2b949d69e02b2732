-- Time series on TimescaleDB: hypertables (chunked by day). Retention, compression and
-- continuous aggregates are added by central/partitions.py where the installed edition allows.
CREATE TABLE IF NOT EXISTS reads (
    read_id              uuid NOT NULL,
    captured_at          timestamptz NOT NULL,
    received_at          timestamptz NOT NULL DEFAULT now(),
    site_id              text NOT NULL,
    camera_id            text NOT NULL,
    agent_id             text NOT NULL,
    lane                 smallint,
    direction            text NOT NULL,
    vrm                  text NOT NULL,
    raw_text             text NOT NULL,
    format               text NOT NULL,
    confidence           real NOT NULL,
    char_confidences     real[] NOT NULL,
    candidates           jsonb NOT NULL,
    detector_confidence  real NOT NULL,
    box                  integer[] NOT NULL,
    plate_colour         text NOT NULL,
    frames_seen          integer NOT NULL,
    time_suspect         boolean NOT NULL,
    clock_offset_s       real,
    lateness_s           real NOT NULL,
    models               jsonb NOT NULL,
    agent_version        text NOT NULL,
    plate_jpeg           bytea NOT NULL,
    overview_jpeg        bytea NOT NULL,
    PRIMARY KEY (captured_at, read_id)
);
CREATE INDEX IF NOT EXISTS reads_vrm ON reads (vrm, captured_at);
CREATE INDEX IF NOT EXISTS reads_camera ON reads (camera_id, captured_at);
CREATE INDEX IF NOT EXISTS reads_site ON reads (site_id, captured_at);

CREATE TABLE IF NOT EXISTS heartbeats (
    received_at  timestamptz NOT NULL DEFAULT now(),
    site_id      text NOT NULL,
    agent_id     text NOT NULL,
    payload      jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS heartbeats_agent ON heartbeats (site_id, agent_id, received_at);
SELECT create_hypertable('reads', 'captured_at', chunk_time_interval => interval '1 day', if_not_exists => true);
SELECT create_hypertable('heartbeats', 'received_at', chunk_time_interval => interval '1 day', if_not_exists => true);
