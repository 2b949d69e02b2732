"""Per-site and per-camera reports for a day, week or month: reads per hour against the
baseline, availability, incidents, time to repair, late reads, clock offsets; and the
cloned-plate report (one VRM at two sites faster than a car can drive between them)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

PERIOD = re.compile(r"^(\d+)([hdw])$")
MAX_PLAUSIBLE_MPS = 70.0  # ~157 mph


def parse_period(text: str) -> timedelta:
    m = PERIOD.match(text.strip())
    if not m:
        raise ValueError("period is N followed by h, d or w: 24h, 7d, 4w")
    n, unit = int(m.group(1)), m.group(2)
    return {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


@dataclass
class CameraReport:
    camera_id: str
    state: str
    reads: int
    reads_per_hour: float
    late_reads: int
    availability_pct: float
    incidents: int
    mttr_minutes: float | None
    clock_offset_s: float | None


@dataclass
class SiteReport:
    site_id: str
    name: str
    since: datetime
    until: datetime
    state: str
    reads: int
    availability_pct: float
    incidents: int
    mttr_minutes: float | None
    late_reads: int
    cameras: list[CameraReport] = field(default_factory=list)
    hourly: list[tuple[datetime, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


CAMERA_COLUMNS = (
    "camera_id",
    "state",
    "reads",
    "reads_per_hour",
    "late_reads",
    "availability_pct",
    "incidents",
    "mttr_minutes",
    "clock_offset_s",
)


def cameras_csv(rep: SiteReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CAMERA_COLUMNS)
    for c in rep.cameras:
        w.writerow([getattr(c, k) for k in CAMERA_COLUMNS])
    return buf.getvalue()


def _down_seconds(rows: list[tuple], since: datetime, until: datetime) -> float:
    total = 0.0
    for started, ended, state in rows:
        if state != "DOWN":
            continue
        a, b = max(started, since), min(ended or until, until)
        total += max(0.0, (b - a).total_seconds())
    return total


def site_report(
    conn: psycopg.Connection, site_id: str, period: timedelta, now: datetime | None = None
) -> SiteReport:
    until = now or datetime.now(UTC)
    since = until - period
    site = conn.execute("SELECT name FROM sites WHERE site_id = %s", (site_id,)).fetchone()
    if site is None:
        raise LookupError(f"no site {site_id!r}")
    span = period.total_seconds()
    cams = conn.execute(
        "SELECT c.camera_id, s.state FROM cameras c JOIN camera_state s USING (camera_id) "
        "WHERE c.site_id = %s ORDER BY c.camera_id",
        (site_id,),
    ).fetchall()
    reports = []
    for cam, state in cams:
        inc = conn.execute(
            "SELECT started_at, ended_at, state FROM incidents WHERE camera_id = %s AND "
            "started_at < %s AND (ended_at IS NULL OR ended_at > %s)",
            (cam, until, since),
        ).fetchall()
        reads, late = conn.execute(
            "SELECT COALESCE(sum(reads), 0), COALESCE(sum(late_reads), 0) FROM "
            "read_rollup_hourly WHERE camera_id = %s AND hour >= %s AND hour < %s",
            (cam, since, until),
        ).fetchone()  # type: ignore[misc]
        repaired = [(e - s).total_seconds() / 60 for s, e, st in inc if e is not None and st == "DOWN"]
        offset = conn.execute(
            "SELECT a.clock_offset_s FROM camera_state s JOIN cameras c USING (camera_id) "
            "LEFT JOIN agents a ON a.site_id = c.site_id AND a.agent_id = s.agent_id "
            "WHERE s.camera_id = %s",
            (cam,),
        ).fetchone()
        reports.append(
            CameraReport(
                cam,
                state,
                int(reads),
                round(reads / (span / 3600), 2),
                int(late),
                round(100 * (1 - _down_seconds(inc, since, until) / span), 3),
                len(inc),
                round(sum(repaired) / len(repaired), 1) if repaired else None,
                offset[0] if offset else None,
            )
        )
    hourly = conn.execute(
        "SELECT hour, sum(reads)::int FROM read_rollup_hourly r JOIN cameras c USING (camera_id) "
        "WHERE c.site_id = %s AND hour >= %s AND hour < %s GROUP BY hour ORDER BY hour",
        (site_id, since, until),
    ).fetchall()
    worst = min(
        (c.state for c in reports),
        key=lambda s: ["DOWN", "DEGRADED", "MAINTENANCE", "UP"].index(s),
        default="DOWN",
    )
    mttrs = [c.mttr_minutes for c in reports if c.mttr_minutes is not None]
    return SiteReport(
        site_id,
        site[0],
        since,
        until,
        worst,
        sum(c.reads for c in reports),
        round(sum(c.availability_pct for c in reports) / len(reports), 3) if reports else 0.0,
        sum(c.incidents for c in reports),
        round(sum(mttrs) / len(mttrs), 1) if mttrs else None,
        sum(c.late_reads for c in reports),
        reports,
        [(h, n) for h, n in hourly],
    )


def cloned_plates(
    conn: psycopg.Connection, since: datetime, until: datetime, max_mps: float = MAX_PLAUSIBLE_MPS
) -> list[dict]:
    """Consecutive reads of one VRM at two sites whose implied speed is impossible."""
    rows = conn.execute(
        """
        WITH seq AS (
            SELECT r.vrm, r.read_id, r.captured_at, r.site_id, s.lat, s.lon,
                   lag(r.read_id) OVER w AS prev_read, lag(r.captured_at) OVER w AS prev_at,
                   lag(r.site_id) OVER w AS prev_site, lag(s.lat) OVER w AS prev_lat, lag(s.lon) OVER w AS prev_lon
            FROM reads r JOIN sites s USING (site_id)
            WHERE r.captured_at >= %s AND r.captured_at < %s AND s.lat IS NOT NULL
            WINDOW w AS (PARTITION BY r.vrm ORDER BY r.captured_at)
        )
        SELECT vrm, prev_read, prev_at, prev_site, read_id, captured_at, site_id,
               2 * 6371000 * asin(sqrt(power(sin(radians(lat - prev_lat) / 2), 2) +
                   cos(radians(prev_lat)) * cos(radians(lat)) * power(sin(radians(lon - prev_lon) / 2), 2)))
                   AS metres
        FROM seq WHERE prev_site IS NOT NULL AND prev_site <> site_id
        """,
        (since, until),
    ).fetchall()
    out = []
    for vrm, r1, t1, s1, r2, t2, s2, metres in rows:
        dt = max(1.0, (t2 - t1).total_seconds())
        if metres / dt > max_mps:
            out.append(
                {
                    "vrm": vrm,
                    "first_read": str(r1),
                    "first_at": t1.isoformat(),
                    "first_site": s1,
                    "second_read": str(r2),
                    "second_at": t2.isoformat(),
                    "second_site": s2,
                    "km": round(metres / 1000, 2),
                    "seconds": round(dt, 1),
                    "implied_mph": round(metres / dt * 2.23694, 1),
                }
            )
    return out
