-- Time series. Written for plain PostgreSQL: declarative partitions by day, created ahead and
-- dropped by the service (central/partitions.py); a DEFAULT partition catches any read whose
-- day has no partition (very late or clock-skewed), so nothing is refused for its timestamp.
-- On TimescaleDB, central/store.py applies the same file as hypertables chunked by day.
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
) PARTITION BY RANGE (captured_at);
CREATE TABLE IF NOT EXISTS reads_default PARTITION OF reads DEFAULT;
CREATE INDEX IF NOT EXISTS reads_vrm ON reads (vrm, captured_at);
CREATE INDEX IF NOT EXISTS reads_camera ON reads (camera_id, captured_at);
CREATE INDEX IF NOT EXISTS reads_site ON reads (site_id, captured_at);

CREATE TABLE IF NOT EXISTS heartbeats (
    received_at  timestamptz NOT NULL DEFAULT now(),
    site_id      text NOT NULL,
    agent_id     text NOT NULL,
    payload      jsonb NOT NULL
) PARTITION BY RANGE (received_at);
CREATE TABLE IF NOT EXISTS heartbeats_default PARTITION OF heartbeats DEFAULT;
CREATE INDEX IF NOT EXISTS heartbeats_agent ON heartbeats (site_id, agent_id, received_at);
