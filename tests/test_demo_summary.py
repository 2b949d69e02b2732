"""What `anpr demo` says when it stops, from the store: reads by source, sites that reported,
alerts by priority, incidents opened and closed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from anpr.protocol import encode, topics
from central import store
from central.ingest_batch import Incoming, process
from central.registry import CameraEntry, SiteEntry, import_sites
from demo.summary import lines, summarise
from hotlists.formats import HotlistEntry
from hotlists.loader import ListSettings, build_index, load_revision
from tests.factories import make_heartbeat, make_read


@pytest.fixture()
def db(database_url: str):  # type: ignore[no-untyped-def]
    conn = store.connect(database_url)
    store.migrate(conn)
    import_sites(
        conn,
        [
            SiteEntry(site_id=s, name=s, cameras=[CameraEntry(camera_id=f"{s}-C1")])
            for s in ("D01", "D02", "D03")
        ],
    )
    yield conn
    conn.close()


def test_the_summary_counts_what_the_run_did(db: psycopg.Connection) -> None:
    start = datetime.now(UTC) - timedelta(minutes=3)
    load_revision(db, "PNC", [HotlistEntry(vrm="KX19PLM", action="Stop")], ListSettings(priority=1))
    cams = {f"{s}-C1": s for s in ("D01", "D02", "D03")}
    reads = [make_read(vrm="KX19PLM", site="D01", camera="D01-C1")]  # a real agent's read, a hit
    reads += [
        make_read(vrm=f"AB{10 + i}CDE", site="D02", camera="D02-C1", agent_version="1.0-replay")
        for i in range(3)
    ]
    now = datetime.now(UTC)
    msgs = [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), now) for r in reads]
    msgs += [
        Incoming(topics.heartbeat_topic(s, f"{s}-A1"), encode(make_heartbeat(site=s, agent=f"{s}-A1")), now)
        for s in ("D01", "D02")
    ]
    process(db, msgs, cams, build_index(db))
    db.execute(
        "INSERT INTO incidents(camera_id, site_id, state, cause, started_at, ended_at) VALUES "
        "('D03-C1', 'D03', 'DOWN', 'no heartbeat for 95 s', %s, %s)",
        (now - timedelta(minutes=2), now - timedelta(minutes=1)),
    )
    db.execute(  # from an earlier run, closed during this one: counted apart
        "INSERT INTO incidents(camera_id, site_id, state, cause, started_at, ended_at) VALUES "
        "('D02-C1', 'D02', 'DOWN', 'agent offline', %s, %s)",
        (now - timedelta(hours=2), now - timedelta(minutes=2)),
    )
    db.execute(  # opened by the stop itself (the agents' last wills): not the run's outage
        "INSERT INTO incidents(camera_id, site_id, state, cause, started_at) VALUES "
        "('D01-C1', 'D01', 'DOWN', 'agent offline', %s)",
        (now + timedelta(seconds=1),),
    )
    s = summarise(db, start, now + timedelta(seconds=5), until=now)
    assert s["reads"] == {"real_agents": 1, "replay": 3} and s["sites_reported"] == 2
    assert s["alerts_by_priority"] == {"P1": 1}
    assert s["earlier_incidents_closed"] == 1
    assert s["incidents"] == [
        {
            "site_id": "D03",
            "camera_id": "D03-C1",
            "state": "DOWN",
            "cause": "no heartbeat for 95 s",
            "seconds": 60,
            "closed": True,
        }
    ]
    json.dumps(s)  # the --summary-json line
    text = "\n".join(lines(s))
    assert "4 reads stored (1 from real agents, 3 replayed), 2 sites reported" in text
    assert "alerts: P1 1" in text and "D03 D03-C1 DOWN (no heartbeat for 95 s) 60 s" in text
