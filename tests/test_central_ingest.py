"""Central ingest against a real PostgreSQL and a real Mosquitto."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import paho.mqtt.client as mqtt
import psycopg
import pytest

from anpr.protocol import AgentState, CameraHealth, CameraState, Status, decode, encode, topics
from central import health, store
from central.ingest import IngestWorker
from central.registry import CameraEntry, SiteEntry, import_sites
from hotlists.formats import HotlistEntry
from hotlists.loader import ListSettings, load_revision
from tests import services
from tests.factories import make_heartbeat, make_read
from tests.harness import Running, count, wait_for


@pytest.fixture()
def db(database_url: str) -> Iterator[psycopg.Connection]:
    conn = store.connect(database_url)
    store.migrate(conn)
    yield conn
    conn.close()


@pytest.fixture()
def site(db: psycopg.Connection) -> str:
    sid = "T" + uuid.uuid4().hex[:6]
    import_sites(
        db,
        [
            SiteEntry(
                site_id=sid,
                name="Test site",
                cameras=[CameraEntry(camera_id=f"{sid}-C1"), CameraEntry(camera_id=f"{sid}-C2")],
            )
        ],
    )
    return sid


def publisher(mqtt_url: str) -> mqtt.Client:
    return services.mqtt_connect(mqtt_url)


def worker(database_url: str, mqtt_url: str, group: str, wid: str = "1", **kw: object) -> IngestWorker:
    return IngestWorker(database_url, mqtt_url, worker_id=wid, group=group, **kw)  # type: ignore[arg-type]


def test_migrations_are_idempotent(db: psycopg.Connection) -> None:
    backend = store.migrate(db)
    assert store.migrate(db) == backend
    from central.store import MIGRATIONS

    versions = {p.name.split(".")[0] for p in MIGRATIONS.glob("*.sql")}
    assert count(db, "SELECT count(*) FROM schema_migrations") == len(versions)


def test_reads_stored_once_each_even_when_redelivered(database_url: str, mqtt_url: str, db, site) -> None:  # type: ignore[no-untyped-def]
    group = "g" + uuid.uuid4().hex[:8]
    reads = [make_read(vrm=f"AB{10 + i}CDE", site=site, camera=f"{site}-C1") for i in range(40)]
    pub = publisher(mqtt_url)
    with Running(worker(database_url, mqtt_url, group)):
        for r in reads:
            pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
        for r in reads[:10]:  # QoS 1 redelivery: same read id again
            pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 40)
        time.sleep(0.5)
    assert count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 40
    lateness = count(db, "SELECT count(*) FROM reads WHERE site_id = %s AND lateness_s >= 0", site)
    assert lateness == 40
    assert count(db, "SELECT sum(reads) FROM read_rollup_hourly WHERE camera_id = %s", f"{site}-C1") == 40
    pub.loop_stop()


def test_nothing_lost_while_the_worker_restarts(database_url: str, mqtt_url: str, db, site) -> None:  # type: ignore[no-untyped-def]
    group = "g" + uuid.uuid4().hex[:8]
    pub = publisher(mqtt_url)
    first = [make_read(vrm=f"AA{10 + i}AAA", site=site, camera=f"{site}-C1") for i in range(10)]
    later = [make_read(vrm=f"BB{10 + i}BBB", site=site, camera=f"{site}-C1") for i in range(15)]
    with Running(worker(database_url, mqtt_url, group, "w1")):
        for r in first:
            pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 10)
    # The worker is down: the broker holds these for its persistent session.
    for r in later:
        pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
    time.sleep(0.3)
    assert count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 10
    with Running(worker(database_url, mqtt_url, group, "w1")):
        assert wait_for(lambda: count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 25)
    pub.loop_stop()


def test_bad_payloads_land_in_dead_letters(database_url: str, mqtt_url: str, db, site) -> None:  # type: ignore[no-untyped-def]
    group = "g" + uuid.uuid4().hex[:8]
    good = make_read(site=site, camera=f"{site}-C1")
    data = json.loads(encode(good))
    cases = {
        "not json": b"{oops",
        "version": json.dumps({**data, "schema_version": 9}).encode(),
        "unknown camera": encode(make_read(site=site, camera=f"{site}-C9")),
        "missing field": json.dumps({k: v for k, v in data.items() if k != "vrm"}).encode(),
        "oversize image": json.dumps({**data, "plate_jpeg": "/9j/" + "A" * 6000}).encode(),
    }
    pub = publisher(mqtt_url)
    with Running(worker(database_url, mqtt_url, group)):
        for name, payload in cases.items():
            cam = f"{site}-C9" if name == "unknown camera" else f"{site}-C1"
            pub.publish(topics.read_topic(site, cam), payload, qos=1).wait_for_publish(5)
        pub.publish(topics.read_topic(site, good.camera_id), encode(good), qos=1).wait_for_publish(5)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM reads WHERE site_id = %s", site) == 1)
        assert wait_for(
            lambda: (
                count(db, "SELECT count(*) FROM dead_letters WHERE topic LIKE %s", f"anpr/v1/{site}/%")
                == len(cases)
            )
        )
    rows = db.execute(
        "SELECT reason, field, payload FROM dead_letters WHERE topic LIKE %s ORDER BY id",
        (f"anpr/v1/{site}/%",),
    ).fetchall()
    reasons = " | ".join(r[0] for r in rows)
    assert "not valid JSON" in reasons and "unsupported version 9" in reasons
    assert "unknown camera" in reasons and "limit is 3072" in reasons
    assert {r[1] for r in rows} >= {"schema_version", "camera_id", "vrm", "plate_jpeg"}
    assert bytes(rows[0][2]) == b"{oops"  # the raw payload is kept
    pub.loop_stop()


def test_each_agent_is_told_which_of_its_reads_are_safe_after_commit(
    database_url: str, mqtt_url: str, db, site
) -> None:  # type: ignore[no-untyped-def]
    from anpr.protocol import ReadAck

    acks: list[tuple[str, ReadAck, int]] = []
    listener = services.mqtt_connect(mqtt_url)
    watch = psycopg.connect(database_url, autocommit=True)

    def heard(c, u, msg) -> None:  # type: ignore[no-untyped-def]
        ack = decode(msg.payload, ReadAck)
        assert isinstance(ack, ReadAck)
        # An ack may only follow the commit: every read it names as stored is already a row.
        named = [str(r) for r in ack.stored]
        rows = watch.execute("SELECT count(*) FROM reads WHERE read_id::text = ANY(%s)", (named,)).fetchone()
        acks.append((msg.topic, ack, rows[0] if rows else 0))

    listener.on_message = heard
    listener.subscribe(f"anpr/v1/{site}/+/ack", qos=1)
    time.sleep(0.3)
    a1 = [make_read(vrm=f"AK{10 + i}ACK", site=site, camera=f"{site}-C1") for i in range(3)]
    stray = make_read(site=site, camera=f"{site}-C9")  # an unknown camera: dead-lettered
    stray = stray.model_copy(update={"agent_id": f"{site}-A2"})
    pub = publisher(mqtt_url)
    with Running(worker(database_url, mqtt_url, "g" + uuid.uuid4().hex[:8])):
        for r in a1:
            pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
        pub.publish(topics.read_topic(site, stray.camera_id), encode(stray), qos=1).wait_for_publish(5)
        pub.publish(topics.read_topic(site, f"{site}-C1"), b"{oops", qos=1).wait_for_publish(5)

        def settled(agent: str, kind: str) -> set[str]:
            return {
                str(i) for t, a, _ in acks if t == topics.ack_topic(site, agent) for i in getattr(a, kind)
            }

        assert wait_for(lambda: settled(f"{site}-A1", "stored") == {str(r.read_id) for r in a1}, 15)
        # The agent sends a read again (its confirmation was lost): it is confirmed as a duplicate.
        pub.publish(topics.read_topic(site, a1[0].camera_id), encode(a1[0]), qos=1).wait_for_publish(5)
        assert wait_for(lambda: settled(f"{site}-A1", "duplicate") == {str(a1[0].read_id)}, 15)
        assert wait_for(lambda: settled(f"{site}-A2", "dead") == {str(stray.read_id)}, 15)
    assert all(rows == len(a.stored) for _, a, rows in acks), "an ack came before its commit"
    assert {t for t, _, _ in acks} == {
        topics.ack_topic(site, f"{site}-A1"),
        topics.ack_topic(site, f"{site}-A2"),
    }
    for c in (pub, listener):
        c.loop_stop()
    watch.close()


def test_hotlist_hit_alerts_exact_and_fuzzy(database_url: str, mqtt_url: str, db, site) -> None:  # type: ignore[no-untyped-def]
    group = "g" + uuid.uuid4().hex[:8]
    load_revision(
        db,
        f"list-{group}",
        [
            HotlistEntry(vrm="KX19PLM", action="Stop and check", warning_markers=["violent"]),
            HotlistEntry(vrm="LB07SEO", action="Report sighting"),
            HotlistEntry(vrm="OLD11AAA"[:7], weed_date=date.today() - timedelta(days=1)),
        ],
        ListSettings(priority=1),
    )
    got: list[dict] = []
    sub = services.mqtt_connect(mqtt_url)
    sub.on_message = lambda c, u, m: got.append(json.loads(m.payload))
    sub.subscribe(topics.ALERTS_ALL, qos=1)
    pub = publisher(mqtt_url)
    with Running(worker(database_url, mqtt_url, group)):
        t0 = time.monotonic()
        exact = make_read(vrm="KX19PLM", site=site, camera=f"{site}-C1")
        fuzzy = make_read(vrm="LB07SE0", raw_text="LB07SE0", format="other", site=site, camera=f"{site}-C2")
        weeded = make_read(vrm="OLD11AA", site=site, camera=f"{site}-C1")
        for r in (exact, fuzzy, weeded):
            pub.publish(topics.read_topic(site, r.camera_id), encode(r), qos=1).wait_for_publish(5)
        assert wait_for(lambda: len([a for a in got if a["site_id"] == site]) >= 2)
        latency = time.monotonic() - t0
        time.sleep(0.3)
    mine = {a["vrm_listed"]: a for a in got if a["site_id"] == site}
    assert set(mine) == {"KX19PLM", "LB07SEO"}  # the weeded entry no longer matches
    assert mine["KX19PLM"]["match_type"] == "exact" and mine["KX19PLM"]["warning_markers"] == ["violent"]
    assert mine["LB07SEO"]["match_type"] == "fuzzy" and mine["LB07SEO"]["differing_positions"] == [6]
    assert mine["LB07SEO"]["priority"] > mine["KX19PLM"]["priority"]  # possible hits rank lower
    assert latency < 1.0
    assert (
        count(
            db, "SELECT count(*) FROM alerts a JOIN hits h USING (hit_id) WHERE h.read_id = %s", exact.read_id
        )
        == 1
    )
    for msg in got:
        decode(json.dumps(msg))  # alerts on MQTT validate against the protocol
    sub.loop_stop()
    pub.loop_stop()


def test_camera_goes_down_and_comes_back_with_incident(database_url: str, mqtt_url: str, db, site) -> None:  # type: ignore[no-untyped-def]
    group = "g" + uuid.uuid4().hex[:8]
    cam = f"{site}-C1"
    pub = publisher(mqtt_url)

    def beat() -> None:
        hb = make_heartbeat(
            site=site,
            agent=f"{site}-A1",
            interval_s=1,
            cameras=[CameraHealth(camera_id=cam, state=CameraState.STREAMING, fps=25)],
        )
        pub.publish(topics.heartbeat_topic(site, hb.agent_id), encode(hb), qos=1).wait_for_publish(5)

    def state() -> str:
        return db.execute("SELECT state FROM camera_state WHERE camera_id = %s", (cam,)).fetchone()[0]  # type: ignore[index]

    with Running(worker(database_url, mqtt_url, group)):
        beat()
        assert wait_for(lambda: count(db, "SELECT count(*) FROM heartbeats WHERE site_id = %s", site) == 1)
        health.evaluate(db)
        assert state() == "UP"
        # Heartbeats stop: after 3 intervals the camera is DOWN with an open incident.
        assert wait_for(lambda: (health.evaluate(db), state())[1] == "DOWN", timeout=6)
        inc = db.execute(
            "SELECT state, cause, ended_at FROM incidents WHERE camera_id = %s", (cam,)
        ).fetchall()
        assert inc[-1][0] == "DOWN" and "no heartbeat" in inc[-1][1] and inc[-1][2] is None
        beat()
        assert wait_for(lambda: (health.evaluate(db), state())[1] == "UP")
        # The last will: offline at once, no waiting for missed heartbeats.
        st = Status(site_id=site, agent_id=f"{site}-A1", state=AgentState.OFFLINE)
        pub.publish(topics.status_topic(site, st.agent_id), encode(st), qos=1).wait_for_publish(5)
        assert wait_for(lambda: state() == "DOWN")
    rows = db.execute(
        "SELECT state, cause, started_at, ended_at FROM incidents WHERE camera_id = %s ORDER BY incident_id",
        (cam,),
    ).fetchall()
    assert rows[0][3] is not None  # the first DOWN closed when it came back
    assert "offline" in rows[-1][1]
    pub.loop_stop()


def test_verdict_rules() -> None:
    now = datetime.now(UTC)
    v = health.verdict
    assert v(now, True, now, 30, "online", None, None, None, None).state == "MAINTENANCE"
    assert v(now, False, now - timedelta(seconds=95), 30, "online", None, None, None, None).state == "DOWN"
    assert v(now, False, now - timedelta(seconds=85), 30, "online", None, None, None, None).state == "UP"
    assert v(now, False, now, 30, "online", None, 12.0, None, None).state == "DEGRADED"
    assert v(now, False, now, 30, "online", None, None, 10, 100).state == "DEGRADED"
    assert v(now, False, now, 30, "online", None, None, 10, 100, healthy_for_s=600).state == "UP"  # < 30 min
    assert v(now, False, now, 30, "online", None, None, 60, 100).state == "UP"
    assert v(now, False, now, 30, "online", None, None, 0, 2).state == "UP"  # not a traffic hour
    assert v(now, False, now, 30, "online", "down: cannot open rtsp", None, None, None).state == "DOWN"
    # Downtime is dated from the evidence: silence from the last heartbeat; a new camera has the
    # same grace before it counts, and then counts from its registration.
    last = now - timedelta(seconds=95)
    assert v(now, False, last, 30, "online", None, None, None, None).began == last
    reg = now - timedelta(seconds=60)
    assert v(now, False, None, 30, None, None, None, None, None, registered_at=reg).reason == health.AWAITING
    late = v(now, False, None, 30, None, None, None, None, None, registered_at=now - timedelta(seconds=95))
    assert late.reason == health.NEVER_REPORTED and late.began == now - timedelta(seconds=95)


def test_outage_counted_from_the_last_heartbeat_and_no_incident_before_a_camera_could_report(
    db: psycopg.Connection, site: str
) -> None:
    cam, other = f"{site}-C1", f"{site}-C2"
    incidents = (
        "SELECT state, cause, started_at, ended_at FROM incidents WHERE camera_id = %s ORDER BY incident_id"
    )
    registered = db.execute("SELECT since FROM camera_state WHERE camera_id = %s", (cam,)).fetchone()[0]  # type: ignore[index]
    # Just registered: down until it reports, but no incident (the demo's 99.97 % at start-up).
    health.evaluate(db, registered + timedelta(seconds=5))
    assert db.execute(incidents, (cam,)).fetchall() == []
    # It reports 20 s after registration, then falls silent: the outage starts at its last heartbeat,
    # though it is only noticed three 30 s intervals later.
    beat = registered + timedelta(seconds=20)
    db.execute("UPDATE camera_state SET last_heartbeat_at = %s WHERE camera_id = %s", (beat, cam))
    assert (cam, "DOWN", "UP") in health.evaluate(db, beat + timedelta(seconds=1))
    assert db.execute(incidents, (cam,)).fetchall() == []
    noticed = beat + timedelta(seconds=95)
    health.evaluate(db, noticed)
    [(state, cause, started, ended)] = db.execute(incidents, (cam,)).fetchall()
    assert state == "DOWN" and "no heartbeat" in cause and started == beat and ended is None
    # Back: the outage ends at the heartbeat that ended it, not when the next check ran.
    back = noticed + timedelta(seconds=30)
    db.execute("UPDATE camera_state SET last_heartbeat_at = %s WHERE camera_id = %s", (back, cam))
    health.evaluate(db, back + timedelta(seconds=20))
    [(_, _, started, ended)] = db.execute(incidents, (cam,)).fetchall()
    assert (started, ended) == (beat, back)
    # The camera that never reports: an incident once the grace is over, dated from registration.
    [(state, cause, started, _)] = db.execute(incidents, (other,)).fetchall()
    assert (state, cause, started) == ("DOWN", health.NEVER_REPORTED, registered)


def test_candidates_and_models_are_stored_as_json_not_as_json_text(db: psycopg.Connection, site: str) -> None:
    """The binary COPY once stored each read's candidates and model versions as a JSON string
    holding the JSON text, so no SQL could look inside them."""
    from anpr.plates import PlateFormat
    from anpr.protocol import ModelInfo, ReadCandidate
    from central.ingest_batch import Incoming, process

    r = make_read(
        vrm="AB51ABC",
        site=site,
        camera=f"{site}-C1",
        candidates=[ReadCandidate(vrm="AB51A8C", confidence=0.2, format=PlateFormat.CURRENT)],
        models={"ocr": ModelInfo(name="ocr.onnx", sha256="ab" * 32)},
    )
    process(
        db,
        [Incoming(topics.read_topic(site, f"{site}-C1"), encode(r), datetime.now(UTC))],
        {f"{site}-C1": site},
        None,
    )
    row = db.execute(
        "SELECT jsonb_typeof(candidates), candidates->0->>'vrm', jsonb_typeof(models), models->'ocr'->>'name' "
        "FROM reads WHERE read_id = %s",
        (r.read_id,),
    ).fetchone()
    assert row == ("array", "AB51A8C", "object", "ocr.onnx")
