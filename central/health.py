"""Per-camera state from heartbeats, the last will and read-rate baselines; every change is an
incident with start, end and cause.

UP; DEGRADED (heartbeats arrive but reads < 50 % of the same hour-of-week baseline for
≥ 30 min in traffic hours, or the clock is suspect); DOWN (no heartbeat for 3 intervals,
the agent's last will, or the agent reports the camera down); MAINTENANCE (set by a person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from anpr.protocol import AgentState, Heartbeat, Status

MISSED_INTERVALS = 3
DEGRADED_SHARE = 0.5
DEGRADED_WINDOW = timedelta(minutes=30)
MIN_BASELINE_PER_HOUR = 20  # below this the hour is not a traffic hour
CLOCK_SUSPECT_S = 10.0


AWAITING = "awaiting first heartbeat"  # registered, not yet had time to report: no incident
NEVER_REPORTED = "never reported"


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str
    # When the state began, where the evidence says so (silence began at the last heartbeat);
    # None means now.
    began: datetime | None = None


def record_heartbeat(conn: psycopg.Connection, hb: Heartbeat, raw: str, received_at: datetime) -> None:
    conn.execute(
        "INSERT INTO heartbeats(received_at, site_id, agent_id, payload) VALUES (%s, %s, %s, %s)",
        (received_at, hb.site_id, hb.agent_id, raw),
    )
    conn.execute(
        "INSERT INTO agents(site_id, agent_id, state, status_at, last_heartbeat_at, interval_s, clock_offset_s, "
        "agent_version) VALUES (%s, %s, 'online', %s, %s, %s, %s, %s) ON CONFLICT (site_id, agent_id) DO UPDATE "
        "SET state = 'online', last_heartbeat_at = EXCLUDED.last_heartbeat_at, interval_s = EXCLUDED.interval_s, "
        "clock_offset_s = EXCLUDED.clock_offset_s, agent_version = EXCLUDED.agent_version",
        (
            hb.site_id,
            hb.agent_id,
            received_at,
            received_at,
            hb.interval_s,
            hb.clock_offset_s,
            hb.agent_version,
        ),
    )
    for cam in hb.cameras:
        conn.execute(
            "UPDATE camera_state SET agent_id = %s, last_heartbeat_at = %s, last_frame_at = %s, fps = %s, "
            "camera_reported = %s WHERE camera_id = %s",
            (
                hb.agent_id,
                received_at,
                cam.last_frame_at,
                cam.fps,
                cam.state.value + (f": {cam.error}" if cam.error else ""),
                cam.camera_id,
            ),
        )
        conn.execute(
            "UPDATE cameras SET heartbeat_interval_s = %s WHERE camera_id = %s",
            (hb.interval_s, cam.camera_id),
        )


def record_status(conn: psycopg.Connection, st: Status, received_at: datetime) -> None:
    conn.execute(
        "INSERT INTO agents(site_id, agent_id, state, status_at) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (site_id, agent_id) DO UPDATE SET state = EXCLUDED.state, status_at = EXCLUDED.status_at",
        (st.site_id, st.agent_id, st.state.value, received_at),
    )
    if st.state is AgentState.OFFLINE:
        # The last will fires at once: do not wait for three missed heartbeats.
        evaluate(conn, received_at)


def verdict(
    now: datetime,
    maintenance: bool,
    last_hb: datetime | None,
    interval_s: float,
    agent_state: str | None,
    reported: str | None,
    clock_offset: float | None,
    recent_reads: float | None,
    baseline: float | None,
    healthy_for_s: float = float("inf"),
    registered_at: datetime | None = None,
) -> Verdict:
    """The state a camera should be in; pure, so the rules are testable on their own."""
    if maintenance:
        return Verdict("MAINTENANCE", "set by a person")
    if agent_state == "offline":
        return Verdict("DOWN", "agent offline (last will or clean stop)")
    if last_hb is None:
        # A new camera gets the same grace as a silent one before it counts as an outage; then
        # the outage runs from its registration.
        if (
            registered_at is not None
            and (now - registered_at).total_seconds() <= MISSED_INTERVALS * interval_s
        ):
            return Verdict("DOWN", AWAITING)
        return Verdict("DOWN", NEVER_REPORTED, registered_at)
    silent = (now - last_hb).total_seconds()
    if silent > MISSED_INTERVALS * interval_s:
        return Verdict("DOWN", f"no heartbeat for {silent:.0f} s", last_hb)
    if reported and reported.split(":")[0] in ("down", "reconnecting"):
        return Verdict("DOWN", f"camera reports {reported}")
    if clock_offset is not None and abs(clock_offset) > CLOCK_SUSPECT_S:
        return Verdict("DEGRADED", f"clock offset {clock_offset:+.1f} s")
    traffic_hour = baseline is not None and baseline >= MIN_BASELINE_PER_HOUR / 2
    # A low rate must have lasted the whole window: a camera back from DOWN gets 30 min first.
    if (
        healthy_for_s >= DEGRADED_WINDOW.total_seconds()
        and traffic_hour
        and recent_reads is not None
        and recent_reads < DEGRADED_SHARE * baseline
    ):  # type: ignore[operator]
        return Verdict("DEGRADED", f"{recent_reads:.0f} reads in 30 min vs usual {baseline:.0f}")
    return Verdict("UP", "")


def evaluate(conn: psycopg.Connection, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Re-derive every camera's state; open/close incidents for changes. Returns the changes.
    An outage is dated from the last heartbeat, not from when it was noticed, and a camera back
    from DOWN from the heartbeat that brought it back."""
    now = now or datetime.now(UTC)
    rows = conn.execute(
        "SELECT c.camera_id, c.site_id, c.heartbeat_interval_s, s.state, s.maintenance, s.last_heartbeat_at, "
        "s.camera_reported, a.state, a.clock_offset_s, s.since, s.reason FROM cameras c "
        "JOIN camera_state s USING (camera_id) "
        "LEFT JOIN agents a ON a.site_id = c.site_id AND a.agent_id = s.agent_id"
    ).fetchall()
    recent, base = _read_rates(conn, now)
    changes = []
    for cam, site, interval, state, maint, last_hb, reported, agent_state, offset, since, reason in rows:
        healthy_for = (now - since).total_seconds() if state in ("UP", "DEGRADED") else 0.0
        v = verdict(
            now,
            maint,
            last_hb,
            interval,
            agent_state,
            reported,
            offset,
            recent.get(cam, 0.0),
            base.get(cam),
            healthy_for,
            registered_at=since if reason == AWAITING else None,
        )
        grace_over = reason == AWAITING and v.reason != AWAITING
        if v.state == state and not grace_over:
            continue
        began = v.began
        if began is None and state == "DOWN" and v.state != "DOWN" and last_hb is not None:
            began = last_hb  # back with the heartbeat that ended the silence
        at = min(now, max(began or now, since))
        with conn.transaction():
            conn.execute(
                "UPDATE camera_state SET state = %s, since = %s, reason = %s WHERE camera_id = %s",
                (v.state, at, v.reason, cam),
            )
            conn.execute(
                "UPDATE incidents SET ended_at = greatest(started_at, %s) WHERE camera_id = %s AND ended_at IS NULL",
                (at, cam),
            )
            if v.state != "UP":
                conn.execute(
                    "INSERT INTO incidents(camera_id, site_id, state, cause, started_at) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (cam, site, v.state, v.reason, at),
                )
            conn.execute("SELECT pg_notify('camera_state', %s)", (f"{cam}:{v.state}",))
        changes.append((cam, state, v.state))
    return changes


def _read_rates(conn: psycopg.Connection, now: datetime) -> tuple[dict[str, float], dict[str, float]]:
    """Reads in the last 30 min per camera, and the same half hour's baseline (same hour of week,
    mean of the previous four weeks, from the hourly roll-up)."""
    recent = dict(
        conn.execute(
            "SELECT camera_id, count(*)::float FROM reads WHERE captured_at > %s GROUP BY camera_id",
            (now - DEGRADED_WINDOW,),
        ).fetchall()
    )
    hour = now.replace(minute=0, second=0, microsecond=0)
    weeks = [hour - timedelta(weeks=k) for k in range(1, 5)]
    base = dict(
        conn.execute(
            "SELECT camera_id, sum(reads)::float / 4 / 2 FROM read_rollup_hourly WHERE hour = ANY(%s) "
            "GROUP BY camera_id",
            (weeks,),
        ).fetchall()
    )
    return recent, base


def set_maintenance(conn: psycopg.Connection, camera_id: str, on: bool) -> None:
    conn.execute("UPDATE camera_state SET maintenance = %s WHERE camera_id = %s", (on, camera_id))
    evaluate(conn)
