"""Fill a store with a year of synthetic reads for the search and report benchmarks.

The rows are written by PostgreSQL itself (INSERT … SELECT over generate_series, one day
partition at a time, two days in parallel) because 36.5 million reads through Python would take
hours on two cores. Every column the ingest writes is filled; the two images are 2-byte
placeholders: a real ~16 KB JPEG is TOASTed out of the heap, so the heap and the indexes that
search and reports touch are the same size either way, while the full images would need ~580 GB.

Vehicles come from a population with a skewed frequency (a few pass daily, most rarely), so a
VRM search finds anything from one read to a few hundred over a year.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg

from central import store
from central.partitions import ensure_partitions, partition_name
from central.registry import CameraEntry, SiteEntry, import_sites

LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # the 23 letters a current-format VRM may use
# A bijection of the vehicle number onto 23^5 × 48 plate combinations, so neighbours differ.
_SPACE = 23**5 * 48
_SCRAMBLE = 2654435761  # coprime with _SPACE


@dataclass(frozen=True)
class StoreShape:
    reads: int = 36_500_000
    days: int = 365
    sites: int = 61
    cameras_per_site: int = 2
    vehicles: int = 5_000_000
    late_share: float = 0.005  # reads arriving more than a minute after capture
    end: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def per_day(self) -> int:
        return self.reads // self.days

    def day(self, i: int) -> date:
        """Day i of the generated span, the oldest first; the last is yesterday."""
        return self.end - timedelta(days=self.days - i)


def site_entries(shape: StoreShape) -> list[SiteEntry]:
    return [
        SiteEntry(
            site_id=f"S{s:02d}",
            name=f"Roadside site {s}",
            lat=52.0 + s * 0.01,
            lon=-1.5 + s * 0.01,
            cameras=[CameraEntry(camera_id=f"S{s:02d}-C{c}") for c in range(1, shape.cameras_per_site + 1)],
        )
        for s in range(1, shape.sites + 1)
    ]


def _vrm_sql(v: str) -> str:
    """SQL for a current-format VRM (AB12CDE) from vehicle number `v`."""
    x = f"mod(({v}) * {_SCRAMBLE}, {_SPACE})"

    def letter(div: int) -> str:
        return f"substr('{LETTERS}', mod({x} / {div}, 23)::int + 1, 1)"

    age = f"mod({x} / 529, 48)"
    digits = f"lpad((CASE WHEN {age} < 24 THEN {age} + 2 ELSE {age} + 27 END)::text, 2, '0')"
    return f"{letter(1)} || {letter(23)} || {digits} || {letter(25392)} || {letter(584016)} || {letter(13432368)}"


def _day_insert(shape: StoreShape) -> str:
    cams = shape.cameras_per_site
    return f"""
    INSERT INTO reads (read_id, captured_at, received_at, site_id, camera_id, agent_id, lane, direction,
        vrm, raw_text, format, confidence, char_confidences, candidates, detector_confidence, box,
        plate_colour, frames_seen, time_suspect, clock_offset_s, lateness_s, models, agent_version,
        plate_jpeg, overview_jpeg)
    SELECT gen_random_uuid(), t, t + make_interval(secs => late), site, site || '-C' || cam, site || '-A1',
        cam, CASE WHEN cam = 1 THEN 'towards' ELSE 'away' END,
        vrm, vrm, 'current', conf, array_fill(conf, ARRAY[7]), '[]'::jsonb, 0.9, ARRAY[600, 400, 760, 440],
        CASE WHEN cam = 1 THEN 'white' ELSE 'yellow' END, 6, false, 0.1, late,
        '{{"detector": "bench", "ocr": "bench"}}'::jsonb, 'bench', '\\xffd8'::bytea, '\\xffd8'::bytea
    FROM (
        SELECT t, site, cam, {_vrm_sql("v")} AS vrm, conf, late
        FROM (
            SELECT %(day)s::timestamptz + make_interval(secs => random() * 86399.999) AS t,
                   'S' || lpad((1 + floor({shape.sites} * power(random(), 1.5)))::int::text, 2, '0') AS site,
                   1 + floor(random() * {cams})::int AS cam,
                   floor({shape.vehicles} * power(random(), 2))::bigint AS v,
                   (0.80 + random() * 0.2)::real AS conf,
                   CASE WHEN random() < {shape.late_share} THEN 60 + random() * 3600 ELSE 0.5 + random() END AS late
            FROM generate_series(1, %(n)s)
        ) drawn
    ) g
    """


ROLLUP = """
    INSERT INTO read_rollup_hourly(camera_id, hour, reads, late_reads)
    SELECT camera_id, date_trunc('hour', captured_at), count(*), count(*) FILTER (WHERE lateness_s > 60)
    FROM reads WHERE captured_at >= %(day)s::timestamptz AND captured_at < %(day)s::timestamptz + interval '1 day'
    GROUP BY 1, 2
"""


def _incidents(conn: psycopg.Connection, shape: StoreShape) -> None:
    """Every camera UP now, with a closed DOWN incident or two a month (10 min to 6 h)."""
    conn.execute("DELETE FROM incidents")
    conn.execute("UPDATE camera_state SET state = 'UP', reason = '', since = now()")
    conn.execute(
        """
        INSERT INTO incidents(camera_id, site_id, state, cause, started_at, ended_at)
        SELECT c.camera_id, c.site_id, 'DOWN', 'heartbeat missed', s, s + (10 + random() * 350) * interval '1 minute'
        FROM cameras c, LATERAL (
            SELECT %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz) AS s
            FROM generate_series(1, %(n)s)
        ) g
        """,
        {"start": shape.day(0), "end": shape.end, "n": max(1, shape.days // 20)},
    )


def generate(
    url: str,
    shape: StoreShape,
    progress: Callable[[int], None] = lambda n: None,
    threads: int = 2,
) -> None:
    """Migrate `url`, register the sites, create the day partitions and fill them."""
    with store.connect(url) as conn:
        backend = store.migrate(conn)
        import_sites(conn, site_entries(shape))
        ensure_partitions(conn, backend, today=shape.end, days_back=shape.days, days_ahead=1)
        _incidents(conn, shape)
    days = list(range(shape.days))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            while not errors:
                with lock:
                    if not days:
                        return
                    i = days.pop(0)
                day = shape.day(i)
                args = {"day": f"{day} 00:00:00+00", "n": shape.per_day}
                try:
                    conn.execute(_day_insert(shape), args)  # type: ignore[arg-type]
                    conn.execute(ROLLUP, args)  # type: ignore[arg-type]
                    # Hint bits and the visibility map now, while the day is in memory; and the
                    # statistics the planner needs.
                    if backend.name == "plain":
                        conn.execute(f"VACUUM (ANALYZE) {partition_name('reads', day)}")
                except BaseException as exc:
                    errors.append(exc)
                    return
                progress(shape.per_day)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE reads")
        conn.execute("ANALYZE read_rollup_hourly")
