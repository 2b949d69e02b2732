"""Both store back ends, retention, webhooks and the cloned-plate report."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from anpr.ids import uuid7
from anpr.protocol import encode, topics
from central import partitions, reports, store
from central.housekeeping import Housekeeper
from central.ingest_batch import Incoming, process
from central.registry import CameraEntry, SiteEntry, import_sites
from hotlists.formats import HotlistEntry, parse_csv, parse_voi
from hotlists.loader import (
    ListSettings,
    build_index,
    list_settings,
    load_revision,
    stale_lists,
    update_settings,
)
from hotlists.matcher import canonical
from tests.factories import make_read


def read_at(t: datetime, vrm: str = "AB51ABC", site: str = "S01"):  # type: ignore[no-untyped-def]
    return make_read(
        vrm=vrm, site=site, camera=f"{site}-C1", captured_at=t, read_id=uuid7(int(t.timestamp() * 1000))
    )


def ingest(conn: psycopg.Connection, reads: list, index=None):  # type: ignore[no-untyped-def]
    cams = dict(conn.execute("SELECT camera_id, site_id FROM cameras").fetchall())
    return process(
        conn,
        [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), datetime.now(UTC)) for r in reads],
        cams,
        index,
    )


@pytest.fixture()
def plain(database_url: str):  # type: ignore[no-untyped-def]
    conn = store.connect(database_url)
    backend = store.migrate(conn, "plain")
    import_sites(
        conn,
        [
            SiteEntry(
                site_id="S01", name="a", lat=52.48, lon=-1.90, cameras=[CameraEntry(camera_id="S01-C1")]
            ),
            SiteEntry(
                site_id="S02", name="b", lat=51.51, lon=-0.13, cameras=[CameraEntry(camera_id="S02-C1")]
            ),
        ],
    )
    yield conn, backend
    conn.close()


def test_plain_partitions_ahead_default_catch_and_retention(plain) -> None:  # type: ignore[no-untyped-def]
    conn, backend = plain
    assert backend.name == "plain"
    today = datetime.now(UTC).date()
    old = datetime.now(UTC) - timedelta(days=400)
    ingest(conn, [read_at(old, "OLD11AA"), read_at(datetime.now(UTC) - timedelta(days=30), "MID11AA")])
    # Both landed in DEFAULT (no partitions yet); nothing was refused for its timestamp.
    assert conn.execute("SELECT count(*) FROM reads_default").fetchone()[0] == 2
    created = partitions.ensure_partitions(conn, backend, today)
    assert partitions.partition_name("reads", today) in created and len(created) == 2 * 10
    assert partitions.ensure_partitions(conn, backend, today) == []  # idempotent
    ingest(conn, [read_at(datetime.now(UTC), "NEW11AA")])
    assert (
        conn.execute(f"SELECT count(*) FROM {partitions.partition_name('reads', today)}").fetchone()[0] == 1
    )
    # A partition created later for a day that already has rows in DEFAULT takes them over.
    mid_day = (datetime.now(UTC) - timedelta(days=30)).date()
    partitions._create_partition(conn, "reads", mid_day, partitions.partition_name("reads", mid_day))
    assert conn.execute("SELECT count(*) FROM reads_default").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM reads").fetchone()[0] == 3
    # Retention: older than 12 months goes; the rest stays; a read preserved for a case survives.
    from central import preservation

    old_id = conn.execute("SELECT read_id FROM reads WHERE vrm = 'OLD11AA'").fetchone()[0]
    assert preservation.preserve(conn, str(old_id), "OP-HAWK-7", "sup")
    partitions.apply_retention(conn, backend, today)
    kept = conn.execute(
        "SELECT case_ref, data->>'vrm', length(plate_jpeg) > 0 FROM preserved_reads"
    ).fetchall()
    assert kept == [("OP-HAWK-7", "OLD11AA", True)]
    assert sorted(v for (v,) in conn.execute("SELECT vrm FROM reads")) == ["MID11AA", "NEW11AA"]
    dropped = partitions.apply_retention(conn, backend, today + timedelta(days=400))
    assert dropped >= 1 and conn.execute("SELECT count(*) FROM reads").fetchone()[0] == 0


def need_timescaledb(conn: psycopg.Connection) -> None:
    """Skip where this PostgreSQL has no TimescaleDB; under `make test-timescale`
    (ANPR_TEST_REQUIRE_TIMESCALE=1) its absence is a failure, not a skip."""
    required = os.environ.get("ANPR_TEST_REQUIRE_TIMESCALE") == "1"
    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone():
        why = (
            "TimescaleDB is not installed on this PostgreSQL (e.g. Debian 13: postgresql-17-timescaledb); "
            "the plain-partition path is tested instead (`make test-timescale` runs this)"
        )
        pytest.fail(why) if required else pytest.skip(why)
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    except psycopg.Error as exc:
        why = f"TimescaleDB is installed but cannot be created here: {exc}"
        pytest.fail(why) if required else pytest.skip(why)


def test_timescaledb_backend(database_url: str) -> None:
    conn = store.connect(database_url)
    need_timescaledb(conn)
    backend = store.migrate(conn, "timescaledb")
    assert backend.name == "timescaledb"
    n = conn.execute(
        "SELECT count(*) FROM timescaledb_information.hypertables "
        "WHERE hypertable_name IN ('reads', 'heartbeats')"
    ).fetchone()[0]
    assert n == 2
    import_sites(conn, [SiteEntry(site_id="S01", name="a", cameras=[CameraEntry(camera_id="S01-C1")])])
    r = read_at(datetime.now(UTC))
    assert ingest(conn, [r, r]).reads_new == 1
    partitions.apply_retention(conn, backend)


def test_timescaledb_and_plain_partitions_give_the_same_answers(pg_admin_url: str) -> None:
    from benchmarks.bench_db import drop_db, fresh_db
    from central.auth import User
    from central.search import SearchQuery
    from central.search import search as run_search

    urls = {name: fresh_db(pg_admin_url, f"anpr_test_{name}_{uuid7().hex[:8]}") for name in ("plain", "ts")}
    try:
        conns = {name: store.connect(url) for name, url in urls.items()}
        need_timescaledb(conns["ts"])
        backends = {
            "plain": store.migrate(conns["plain"], "plain"),
            "ts": store.migrate(conns["ts"], "timescaledb"),
        }
        assert backends["ts"].name == "timescaledb" and backends["plain"].name == "plain"
        now = datetime.now(UTC).replace(microsecond=0)
        reads = [
            read_at(now - timedelta(hours=h, minutes=7 * h), vrm=vrm, site=site)
            for h, (vrm, site) in enumerate(
                [("AB51ABC", "S01"), ("AB51ABD", "S02"), ("XY19ZZZ", "S01"), ("AB51ABC", "S02")] * 6
            )
        ]
        reads.append(read_at(now - timedelta(days=500), vrm="OLD11AA"))
        user = User(1, "analyst", "supervisor", False)
        answers = {}
        for name, conn in conns.items():
            import_sites(
                conn,
                [
                    SiteEntry(site_id=s, name=s, cameras=[CameraEntry(camera_id=f"{s}-C1")])
                    for s in ("S01", "S02")
                ],
            )
            partitions.ensure_partitions(conn, backends[name])
            assert ingest(conn, reads).reads_new == len(reads)
            found = {
                mode: [
                    (str(r["read_id"]), r["vrm"], r["site_id"])
                    for r in run_search(conn, user, SearchQuery(vrm=vrm, mode=mode), now)
                ]
                for mode, vrm in (("exact", "AB51ABC"), ("wildcard", "AB51*"), ("lenient", "AB5IABC"))
            }
            rep = reports.site_report(conn, "S01", timedelta(days=2), now)
            # The 500-day-old read goes: a dropped chunk on TimescaleDB, a DELETE from the default
            # partition on plain PostgreSQL (its day has no partition of its own).
            partitions.apply_retention(conn, backends[name])
            left = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE vrm = 'OLD11AA') FROM reads"
            ).fetchone()
            answers[name] = (found, rep.reads, rep.hourly, rep.late_reads, left)
        print(
            f"TIMESCALE plain vs hypertables: {answers['ts'][0]['exact'][:1]}, report reads {answers['ts'][1]}"
        )
        assert answers["ts"] == answers["plain"]
        assert (
            answers["ts"][0]["exact"]
            and answers["ts"][0]["wildcard"]
            and answers["ts"][4] == (len(reads) - 1, 0)
        )
        chunks = (
            conns["ts"]
            .execute("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'reads'")
            .fetchone()[0]
        )
        assert chunks >= 1  # the recent days' chunks stay; the 500-day-old one was dropped
        for conn in conns.values():
            conn.close()
    finally:
        for url in urls.values():
            drop_db(pg_admin_url, url)


def test_hotlist_revision_is_atomic_and_weeds(plain) -> None:  # type: ignore[no-untyped-def]
    conn, _ = plain
    load_revision(conn, "L", [HotlistEntry(vrm="AB51ABC"), HotlistEntry(vrm="XY19ZZZ")])
    idx1 = build_index(conn)
    load_revision(
        conn, "L", [HotlistEntry(vrm="XY19ZZZ"), HotlistEntry(vrm="ZZ11ZZZ", weed_date=date(2020, 1, 1))]
    )
    idx2 = build_index(conn)
    today = date.today()
    assert idx1.match(["AB51ABC"], today) and not idx2.match(["AB51ABC"], today)
    assert not idx2.match(["ZZ11ZZZ"], today)  # past its weed date
    assert [m.match_type for m in idx2.match(["XY19222"], today)] == []  # 2 substitutions > 1
    assert [m.match_type for m in idx2.match(["XY192ZZ"], today)] == ["fuzzy"]
    assert canonical("O0DQ") == canonical("0000")
    conn.execute("UPDATE hotlists SET refreshed_at = now() - interval '3 days'")
    assert [n for n, _ in stale_lists(conn)] == ["L"]


def test_hotlist_file_errors_name_the_line() -> None:
    parsed = parse_csv("vrm,action,weed_date\nAB51 ABC,Stop,2027-01-01\n,Stop,\nXY19ZZZ,Stop,31/12/2026\n")
    assert [e.vrm for e in parsed.entries] == ["AB51ABC"]
    assert [r.line for r in parsed.rejected] == [3, 4]
    assert "weed_date" in parsed.rejected[1].reason
    voi = parse_voi(
        '{"format": "anpr-voi/1", "list": "PNC"}\n{"vrm": "KX19PLM", "warning_markers": ["violent"]}\n{oops\n'
    )
    assert (
        voi.list_name == "PNC" and voi.entries[0].warning_markers == ["violent"] and voi.rejected[0].line == 3
    )


def test_one_million_entries_load_quickly(plain) -> None:  # type: ignore[no-untyped-def]
    conn, _ = plain
    entries = [
        HotlistEntry.model_construct(
            vrm=f"{i:07d}",
            make="",
            model="",
            colour="",
            action="",
            warning_markers=[],
            reason="",
            grading="",
            information="",
            force_area="",
            weed_date=None,
            source_ref="",
        )
        for i in range(1_000_000)
    ]
    t0 = time.perf_counter()
    load_revision(conn, "big", entries)
    elapsed = time.perf_counter() - t0
    assert conn.execute("SELECT count(*) FROM hotlist_entries").fetchone()[0] == 1_000_000
    print(f"1,000,000 hotlist entries loaded in {elapsed:.1f} s")


def test_webhook_delivered_within_a_second_and_retried(plain, database_url: str) -> None:  # type: ignore[no-untyped-def]
    conn, _ = plain
    got: list[tuple[float, dict]] = []
    calls = {"n": 0}

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            calls["n"] += 1
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/flaky" and calls["n"] == 1:
                self.send_response(503)
            else:
                got.append((time.monotonic(), body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    conn.execute("INSERT INTO webhooks(url) VALUES (%s)", (f"http://127.0.0.1:{srv.server_port}/ok",))
    load_revision(conn, "L", [HotlistEntry(vrm="KX19PLM", action="Stop")])
    hk = Housekeeper(database_url, every_s=5).start()
    time.sleep(0.5)
    t0 = time.monotonic()
    ingest(conn, [make_read(vrm="KX19PLM", site="S01", camera="S01-C1")], build_index(conn))
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.02)
    hk.stop()
    srv.shutdown()
    assert got and got[0][1]["vrm_listed"] == "KX19PLM"
    assert got[0][0] - t0 < 1.0


def test_cloned_plate_report(plain) -> None:  # type: ignore[no-untyped-def]
    conn, _ = plain
    now = datetime.now(UTC)
    # Birmingham then London (~160 km) 20 minutes apart: impossible. A second VRM takes 3 hours: fine.
    ingest(
        conn,
        [
            read_at(now - timedelta(minutes=30), "CL0N3DA", "S01"),
            read_at(now - timedelta(minutes=10), "CL0N3DA", "S02"),
            read_at(now - timedelta(hours=4), "H0NE5TA", "S01"),
            read_at(now - timedelta(hours=1), "H0NE5TA", "S02"),
        ],
    )
    found = reports.cloned_plates(conn, now - timedelta(days=1), now)
    assert [f["vrm"] for f in found] == ["CL0N3DA"]
    assert found[0]["implied_mph"] > 200 and 150 < found[0]["km"] < 180


def test_timescale_variant_of_the_time_series_ddl() -> None:
    sql = (store.MIGRATIONS / "0002_timeseries.sql").read_text()
    ts = store.timescale_variant(sql)
    assert "PARTITION" not in ts
    assert (
        "create_hypertable('reads', 'captured_at'" in ts
        and "create_hypertable('heartbeats', 'received_at'" in ts
    )
    assert ts.count("CREATE TABLE IF NOT EXISTS reads (") == 1 and "PRIMARY KEY (captured_at, read_id)" in ts
    assert store.timescale_variant("CREATE TABLE x (a int);") == "CREATE TABLE x (a int);"


def current_list(conn: psycopg.Connection, name: str) -> tuple[int, list[str]]:
    rev = conn.execute("SELECT current_revision FROM hotlists WHERE name = %s", (name,)).fetchone()[0]  # type: ignore[index]
    vrms = conn.execute(
        "SELECT e.vrm FROM hotlist_entries e JOIN hotlists h USING (list_id) "
        "WHERE h.name = %s AND e.revision = h.current_revision ORDER BY e.vrm",
        (name,),
    ).fetchall()
    return rev, [v[0] for v in vrms]


def test_hotlist_bad_rows_all_or_nothing_or_valid_rows_never_half(plain, database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from anpr.cli.main import app

    conn, _ = plain
    load_revision(conn, "PNC", [HotlistEntry(vrm="OLD1AAA"), HotlistEntry(vrm="OLD2BBB")])
    bad = tmp_path / "pnc.csv"
    bad.write_text(
        "vrm,action,weed_date\nAB51 ABC,Stop,2030-01-01\n,Stop,\nXY19ZZZ,Stop,31/12/2026\nKX19PLM,Stop,\n"
    )
    runner, env = CliRunner(), {"ANPR_DATABASE_URL": database_url}

    refused = runner.invoke(app, ["hotlist", "load", str(bad), "--list", "PNC"], env=env)
    assert refused.exit_code == 1
    assert f"{bad}:3: rejected" in refused.output and f"{bad}:4: rejected" in refused.output
    assert "nothing loaded" in refused.output
    assert current_list(conn, "PNC") == (1, ["OLD1AAA", "OLD2BBB"])  # all or nothing: nothing

    fib = ListSettings(owner="Force intelligence bureau", priority=3, match_mode="exact")
    update_settings(conn, "PNC", fib)
    valid_only = runner.invoke(app, ["hotlist", "load", str(bad), "--list", "PNC", "--skip-invalid"], env=env)
    assert valid_only.exit_code == 0, valid_only.output
    assert "2 entries (2 rejected)" in valid_only.output
    assert current_list(conn, "PNC") == (2, ["AB51ABC", "KX19PLM"])  # the valid rows, as one revision
    assert list_settings(conn, "PNC") == fib  # a new revision does not reset the list's settings (B4)
    typo = runner.invoke(app, ["hotlist", "load", str(bad), "--list", "PCN", "--skip-invalid"], env=env)
    assert typo.exit_code == 2 and "--create" in typo.output and list_settings(conn, "PCN") is None

    # A load that fails part-way (here: cancelled by a statement timeout during the COPY) leaves the
    # revision in force untouched; no half-written revision is ever current or left behind.
    big = [
        HotlistEntry(
            vrm=f"BG{i % 100:02d}{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i // 676 % 26)}"
        )
        for i in range(200_000)
    ]
    with store.connect(database_url) as slow:
        slow.execute("SET statement_timeout = '50ms'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            load_revision(slow, "PNC", big)
    assert current_list(conn, "PNC") == (2, ["AB51ABC", "KX19PLM"])
    assert conn.execute("SELECT count(*) FROM hotlist_entries WHERE revision > 2").fetchone()[0] == 0  # type: ignore[index]
