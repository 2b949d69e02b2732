"""What a demo run did, said when it stops: reads stored (from real agents and from replay), sites
that reported, alerts by priority, incidents opened and closed; also as one JSON object for a
script (`anpr demo --summary-json FILE`)."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

REPLAY_SUFFIX = "-replay"  # the agent version replayed reads carry (demo.replay)
SHOWN = 10  # incidents listed on the terminal


def summarise(
    conn: psycopg.Connection, since: datetime, now: datetime | None = None, until: datetime | None = None
) -> dict:
    """The run from `since`; incidents opened before `until` (when the stop began: a clean stop's
    last wills are not the run's outages)."""
    now = now or datetime.now(UTC)
    until = until or now
    real, replay = conn.execute(
        "SELECT count(*) FILTER (WHERE agent_version NOT LIKE %s), count(*) FILTER (WHERE agent_version LIKE %s) "
        "FROM reads WHERE received_at >= %s",
        (f"%{REPLAY_SUFFIX}", f"%{REPLAY_SUFFIX}", since),
    ).fetchone()  # type: ignore[misc]
    (sites,) = conn.execute(
        "SELECT count(DISTINCT site_id) FROM heartbeats WHERE received_at >= %s", (since,)
    ).fetchone()  # type: ignore[misc]
    alerts = dict(
        conn.execute(
            "SELECT priority, count(*) FROM alerts WHERE created_at >= %s GROUP BY priority ORDER BY priority",
            (since,),
        ).fetchall()
    )
    incidents = [
        {
            "site_id": site,
            "camera_id": cam,
            "state": state,
            "cause": cause,
            "seconds": round(((ended or now) - started).total_seconds()),
            "closed": ended is not None,
        }
        for site, cam, state, cause, started, ended in conn.execute(
            "SELECT site_id, camera_id, state, cause, started_at, ended_at FROM incidents "
            "WHERE started_at >= %s AND started_at < %s ORDER BY started_at",
            (since, until),
        )
    ]
    (earlier,) = conn.execute(
        "SELECT count(*) FROM incidents WHERE started_at < %s AND ended_at >= %s", (since, since)
    ).fetchone()  # type: ignore[misc]
    return {
        "minutes": round((now - since).total_seconds() / 60, 1),
        "reads": {"real_agents": real, "replay": replay},
        "sites_reported": sites,
        "alerts_by_priority": {f"P{p}": n for p, n in alerts.items()},
        "incidents": incidents,
        "earlier_incidents_closed": earlier,
    }


def lines(s: dict) -> list[str]:
    """The summary as a person reads it."""
    out = [
        f"ran {s['minutes']} min: {s['reads']['real_agents'] + s['reads']['replay']} reads stored "
        f"({s['reads']['real_agents']} from real agents, {s['reads']['replay']} replayed), "
        f"{s['sites_reported']} sites reported",
        "alerts: " + (", ".join(f"{p} {n}" for p, n in s["alerts_by_priority"].items()) or "none"),
    ]
    opened = s["incidents"]
    out.append(
        f"incidents opened: {len(opened)} ({sum(i['closed'] for i in opened)} closed again); "
        f"from before the run, closed: {s['earlier_incidents_closed']}"
    )
    for i in opened[:SHOWN]:
        out.append(
            f"  {i['site_id']} {i['camera_id']} {i['state']} ({i['cause']}) {i['seconds']} s"
            f"{'' if i['closed'] else ', still open'}"
        )
    if len(opened) > SHOWN:
        out.append(f"  … and {len(opened) - SHOWN} more (all in --summary-json)")
    return out
