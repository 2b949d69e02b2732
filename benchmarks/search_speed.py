"""Read search and site reports over a year of reads: p50/p95 of VRM searches through the real
search code (access check and audit included) over a store the generator fills with 36.5 million
reads, against the same searches forced onto an unindexed scan; and the per-site 30-day report
for every site, against computing its figures from the raw reads.

    python -m benchmarks.search_speed --reads 36500000 --keep anpr_bench_year

Uses ANPR_DATABASE_URL (or `anpr services`). `--keep NAME` leaves the generated database for
the next run, which then skips the generation (about 15 minutes for 36.5 million on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from benchmarks.bench_db import db_exists, db_url, drop_db, fresh_db
from benchmarks.read_store_generator import StoreShape, generate
from benchmarks.stats import percentiles
from central import store
from central.auth import User, create_user
from central.reports import site_report
from central.search import SearchQuery, record_authorisation, search
from models.plate_text import random_uk_vrm

UNINDEXED = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def query_vrms(conn: psycopg.Connection, n: int, rng: random.Random) -> list[str]:
    """Half VRMs that were read (sampled across the year), half that almost surely were not."""
    seen = [r[0] for r in conn.execute("SELECT vrm FROM reads TABLESAMPLE SYSTEM (0.1) LIMIT %s", (n * 20,))]
    present = rng.sample(seen, min(len(seen), n - n // 2))
    return present + [random_uk_vrm(rng)[0] for _ in range(n - len(present))]


def bench_user(conn: psycopg.Connection, now: datetime) -> tuple[User, int]:
    uid = create_user(conn, "bench-investigator", "bench-password-not-used", "supervisor", extended=True)
    user = User(uid, "bench-investigator", "supervisor", True)
    auth = record_authorisation(
        conn, user, user.username, "Insp. Bench", "benchmark", "BENCH/1", now + timedelta(days=1)
    )
    return user, auth


def search_cases(vrm: str, now: datetime, auth: int) -> dict[str, SearchQuery]:
    day, d90, year = timedelta(days=1), timedelta(days=89, hours=23), timedelta(days=365)
    return {
        "exact, last 24 h": SearchQuery(vrm, since=now - day, until=now),
        "exact, 90 days": SearchQuery(vrm, since=now - d90, until=now),
        "exact, 90 days, one site": SearchQuery(vrm, since=now - d90, until=now, sites=("S07",)),
        "lenient (0/O, 1/I …), 90 days": SearchQuery(vrm, mode="lenient", since=now - d90, until=now),
        "wildcard prefix (AB12*), 90 days": SearchQuery(
            vrm[:4] + "*", mode="wildcard", since=now - d90, until=now
        ),
        "exact, 365 days (authorised)": SearchQuery(vrm, since=now - year, until=now, authorisation_id=auth),
    }


def run_searches(
    conn: psycopg.Connection, user: User, vrms: list[str], now: datetime, auth: int, cases: list[str]
) -> dict[str, dict[str, float]]:
    out: dict[str, list[float]] = {c: [] for c in cases}
    for vrm in vrms:
        for name, q in search_cases(vrm, now, auth).items():
            if name in out:
                out[name].append(timed(lambda q=q: search(conn, user, q, now=now)))
    return {k: percentiles(v) for k, v in out.items()}


def unindexed(url: str) -> psycopg.Connection:
    """A connection whose planner may not use an index (and keeps no prepared plans that do)."""
    conn = store.connect(url)
    conn.prepare_threshold = None
    for s in UNINDEXED:
        conn.execute(f"SET {s} = off")
    return conn


def report_baseline(conn: psycopg.Connection, site: str, since: datetime, until: datetime) -> None:
    """The report's read figures computed from the raw reads instead of the hourly rollup."""
    conn.execute(
        "SELECT camera_id, date_trunc('hour', captured_at), count(*), count(*) FILTER (WHERE lateness_s > 60) "
        "FROM reads WHERE site_id = %s AND captured_at >= %s AND captured_at < %s GROUP BY 1, 2",
        (site, since, until),
    ).fetchall()


def main() -> None:
    from anpr.services.resolve import database_url

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reads", type=int, default=36_500_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sites", type=int, default=61)
    ap.add_argument("--queries", type=int, default=200, help="VRMs searched per case")
    ap.add_argument("--baseline-queries", type=int, default=5)
    ap.add_argument("--keep", metavar="NAME", help="database to keep (and reuse when it exists)")
    ap.add_argument("--json", type=Path, help="write every figure here")
    args = ap.parse_args()
    admin = database_url()
    shape = StoreShape(reads=args.reads, days=args.days, sites=args.sites)
    results: dict[str, object] = {
        "reads": shape.per_day * shape.days,
        "days": shape.days,
        "sites": shape.sites,
    }
    reuse = bool(args.keep) and db_exists(admin, args.keep)
    db = db_url(admin, args.keep) if reuse else fresh_db(admin, args.keep)
    try:
        if not reuse:
            t0 = time.perf_counter()
            with Progress(
                TextColumn("generating reads"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
            ) as bar:
                task = bar.add_task("", total=shape.per_day * shape.days)
                generate(db, shape, progress=lambda n: bar.advance(task, n))
            results["generate_s"] = round(time.perf_counter() - t0, 1)
            print(f"generated {results['reads']:,} reads in {results['generate_s']} s", flush=True)
        with store.connect(db) as conn:
            end = conn.execute("SELECT max(captured_at) FROM reads").fetchone()[0]  # type: ignore[index]
            now = datetime.combine(end.date() + timedelta(days=1), dtime(), UTC)
            stored, size = conn.execute(
                "SELECT count(*), pg_size_pretty(pg_database_size(current_database())) FROM reads"
            ).fetchone()  # type: ignore[misc]
            results.update(stored_reads=stored, database_size=size)
            print(f"store: {stored:,} reads, {size}", flush=True)
            user, auth = bench_user(conn, now)
            rng = random.Random(7)
            cases = list(search_cases("AB12CDE", now, auth))
            run_searches(conn, user, query_vrms(conn, 20, rng), now, auth, cases)  # warm-up
            searched = run_searches(conn, user, query_vrms(conn, args.queries, rng), now, auth, cases)
            for name, fig in searched.items():
                print(f"search {name}: p50 {fig['p50_ms']:.1f} ms, p95 {fig['p95_ms']:.1f} ms", flush=True)
            with unindexed(db) as scan:
                base_cases = ["exact, 90 days", "exact, 365 days (authorised)"]
                base = run_searches(
                    scan, user, query_vrms(conn, args.baseline_queries, rng), now, auth, base_cases
                )
            for name, fig in base.items():
                print(f"baseline unindexed scan, {name}: p50 {fig['p50_ms']:,.0f} ms", flush=True)
            results["search"] = searched
            results["search_baseline_unindexed"] = base
            results["search_p95_ratio_vs_unindexed_90d"] = base["exact, 90 days"]["p50_ms"] / max(
                1e-6, searched["exact, 90 days"]["p95_ms"]
            )
            sites = [f"S{s:02d}" for s in range(1, shape.sites + 1)]
            month = timedelta(days=30)
            results["site_report_30d"] = percentiles(
                [timed(lambda s=s: site_report(conn, s, month, now=now)) for s in sites]
            )
            results["site_report_30d_baseline_raw"] = percentiles(
                [timed(lambda s=s: report_baseline(conn, s, now - month, now)) for s in sites[:5]]
            )
            rep, raw = results["site_report_30d"], results["site_report_30d_baseline_raw"]
            print(
                f"site report, 30 days, {len(sites)} sites: p50 {rep['p50_ms']:.1f} ms, p95 {rep['p95_ms']:.1f} ms; "  # type: ignore[index]
                f"from raw reads: p50 {raw['p50_ms']:,.0f} ms",  # type: ignore[index]
                flush=True,
            )
            results["settings"] = {
                k: conn.execute(f"SHOW {k}").fetchone()[0]  # type: ignore[index]
                for k in ("server_version", "shared_buffers", "work_mem", "effective_cache_size")
            }
    finally:
        if not args.keep:
            drop_db(admin, db)
    print(json.dumps(results, indent=1, default=str))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
