"""Bring the whole network up on one machine and keep it running until Ctrl-C.

Services (embedded or from ANPR_DATABASE_URL / ANPR_MQTT_URL) → schema, 61-site registry,
sample hotlist, users → ingest worker, housekeeping, API and console → real edge agents
with the real models on synthetic footage for a few sites, light replay agents for the
rest → a camera failure part-way (DOWN, then recovery) and hotlisted vehicles passing.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import yaml

from anpr.security.mqtt_accounts import INGEST_ACCOUNT
from anpr.services import manager
from anpr.services.resolve import database_url, mqtt_tls, mqtt_url
from anpr.settings import CoreSettings

log = logging.getLogger("demo")
SITES_FILE = Path(str(files("central") / "data" / "sites.yaml"))
DEMO_USERS = {
    "demo": ("supervisor", True),
    "operator": ("operator", False),
    "auditor": ("auditor", False),
    "engineer": ("engineer", False),
}
DEMO_PASSWORD = "anpr-demo-2026"


@dataclass
class DemoOptions:
    real_sites: tuple[str, ...] = ("S01", "S02")
    port: int = 8080
    minutes: float | None = None
    fail_site: str = "S10"
    fail_after_s: float = 60
    fail_for_s: float = 150
    heartbeat_s: float = 30
    agent_fps: float = 4  # two real agents share this machine's cores with everything else
    summary_json: Path | None = None  # where to write the summary on stop, as one JSON object


@dataclass
class Running:
    procs: list[subprocess.Popen] = field(default_factory=list)
    stops: list = field(default_factory=list)  # callables, run in reverse order
    started_services: bool = False
    database_url: str = ""  # for the summary on stop


def _say(msg: str) -> None:
    print(f"[demo] {msg}", flush=True)


def run(opts: DemoOptions) -> None:
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    settings = CoreSettings()
    r = Running()
    stop = threading.Event()
    started_at = datetime.now(UTC)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        _start(opts, settings, r, stop)
        deadline = time.monotonic() + opts.minutes * 60 if opts.minutes else None
        while not stop.wait(1):
            if deadline and time.monotonic() > deadline:
                break
    finally:
        stopping_at = datetime.now(UTC)
        _say("stopping …")
        for p in r.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in r.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        for fn in reversed(r.stops):
            try:
                fn()
            except Exception as exc:  # keep stopping the rest
                _say(f"while stopping: {exc}")
        if r.database_url:
            _summary(r.database_url, started_at, stopping_at, opts.summary_json)
        if r.started_services:
            manager.down(settings)
            _say("services stopped")
        _say("stopped; no process left behind")


def _summary(db: str, started_at: datetime, stopping_at: datetime, json_path: Path | None) -> None:
    from central import store
    from demo.summary import lines, summarise

    try:
        with store.connect(db) as conn:
            summary = summarise(conn, started_at, until=stopping_at)
    except Exception as exc:  # a summary must not stand in the way of stopping
        _say(f"no summary: {exc}")
        return
    for line in lines(summary):
        _say(line)
    if json_path is not None:
        json_path.write_text(json.dumps(summary) + "\n")
        _say(f"summary written to {json_path}")


def _start(opts: DemoOptions, settings: CoreSettings, r: Running, stop: threading.Event) -> None:
    import uvicorn

    from central import auth, partitions, store
    from central.housekeeping import Housekeeper
    from central.ingest import IngestWorker
    from central.registry import import_sites, parse
    from central.web import create_web_app
    from demo.replay import ReplayFleet, ReplaySite

    if not (settings.database_url and settings.mqtt_url):
        _say("starting embedded services (PostgreSQL, MQTT broker) …")
        manager.up(settings)
        r.started_services = True
    db, mq = database_url(settings), mqtt_url(settings)  # the tool account: replay plays many sites
    r.database_url = db
    conn = store.connect(db)
    backend = store.migrate(conn)
    partitions.ensure_partitions(conn, backend)
    sites = parse(SITES_FILE)
    n_sites, n_cams = import_sites(conn, sites)
    _say(f"store: {backend.name}; registry: {n_sites} sites, {n_cams} cameras")
    for name, (role, extended) in DEMO_USERS.items():
        auth.create_user(conn, name, DEMO_PASSWORD, role, extended)

    work = settings.data_dir / "demo"
    work.mkdir(parents=True, exist_ok=True)
    clips = _footage(work, opts.real_sites)
    hotlisted = _hotlist(conn, clips)
    _backfill(conn, [c.camera_id for s in sites for c in s.cameras])

    worker = IngestWorker(
        db,
        mqtt_url(settings, account=INGEST_ACCOUNT),
        worker_id="demo-1",
        group="ingest",
        tls=mqtt_tls(settings),
    )
    wt = threading.Thread(target=worker.run, daemon=True)
    wt.start()
    worker.ready.wait(15)
    r.stops.append(lambda: (worker.stop_event.set(), wt.join(10)))
    hk = Housekeeper(db, every_s=5).start()
    r.stops.append(hk.stop)
    server = uvicorn.Server(
        uvicorn.Config(create_web_app(db), host="127.0.0.1", port=opts.port, log_level="warning")
    )
    st = threading.Thread(target=server.run, daemon=True)
    st.start()
    r.stops.append(lambda: (setattr(server, "should_exit", True), st.join(10)))

    by_site = {s.site_id: [c.camera_id for c in s.cameras] for s in sites}
    replay_sites = []
    for s in sites:
        cams = by_site[s.site_id]
        if s.site_id in opts.real_sites:
            broker = _agent_broker(settings, f"{s.site_id}-A1", s.site_id, mq)
            cfg = _agent_config(work, s.site_id, cams[0], clips[s.site_id][0], broker, opts)
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            log_file = (work / f"agent-{s.site_id}.log").open("ab")
            r.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "anpr.cli.main",
                        "edge",
                        "run",
                        "--config",
                        str(cfg),
                        "--log-level",
                        "WARNING",
                    ],
                    stdout=log_file,
                    stderr=log_file,
                    env=env,
                )
            )
            if cams[1:]:
                replay_sites.append(ReplaySite(s.site_id, cams[1:], agent_id=f"{s.site_id}-A2"))
        else:
            replay_sites.append(ReplaySite(s.site_id, cams))
    fleet = ReplayFleet(mq, replay_sites, hotlisted, heartbeat_s=opts.heartbeat_s).start()
    r.stops.append(fleet.stop)

    def failure() -> None:
        if stop.wait(opts.fail_after_s):
            return
        _say(f"simulating a failure: site {opts.fail_site}'s agent goes silent for {opts.fail_for_s:.0f} s")
        fleet.fail(opts.fail_site, opts.fail_for_s)
        if stop.wait(opts.fail_for_s):
            return
        _say(f"site {opts.fail_site} is back")

    threading.Thread(target=failure, daemon=True).start()
    without_agent = sum(replay.site_id not in opts.real_sites for replay in replay_sites)
    _say(
        f"real edge agents with the real models: {', '.join(opts.real_sites)}; "
        f"replay agents: {len(replay_sites)} ({without_agent} sites without a real agent, "
        "and the other cameras of real sites)"
    )
    _say(
        f"console: http://127.0.0.1:{opts.port}/  login: demo / {DEMO_PASSWORD} "
        f"(also operator, auditor, engineer; same password)"
    )
    _say("Ctrl-C stops everything")


def _footage(work: Path, sites: tuple[str, ...]) -> dict[str, tuple[Path, list[str]]]:
    from models.footage import load_truth, synthesise

    out = {}
    for i, site in enumerate(sites):
        clip, truth = work / f"{site}.mp4", work / f"{site}.csv"
        if not (clip.exists() and truth.exists()):
            _say(f"rendering synthetic footage for {site} …")
            synthesise(
                clip,
                truth,
                vehicles=10,
                conditions=("day", "night"),
                seed=100 + i,
                size=(960, 540),
                fps=12,
                lanes=1,
            )
        out[site] = (clip, [p.vrm for p in load_truth(truth)])
    return out


def _hotlist(conn, clips: dict[str, tuple[Path, list[str]]]) -> list[str]:  # type: ignore[no-untyped-def]
    from hotlists.formats import HotlistEntry
    from hotlists.loader import ListSettings, load_revision
    from models.plate_text import random_uk_vrm

    rng = random.Random(2026)
    on_camera = [v for _, vrms in clips.values() for v in vrms[::3]]
    replayed = [random_uk_vrm(rng)[0] for _ in range(6)]
    actions = [
        "Stop and check occupants",
        "Report sighting only",
        "Intercept if safe: stolen vehicle",
        "Do not stop: intelligence only",
    ]
    markers = [[], ["firearms"], ["violent"], ["drugs"], []]
    entries = [
        HotlistEntry(
            vrm=v,
            make=rng.choice(["Ford", "Vauxhall", "BMW", "Audi", "Toyota"]),
            colour=rng.choice(["Blue", "Black", "Silver", "White"]),
            action=rng.choice(actions),
            warning_markers=rng.choice(markers),
            reason="demo vehicle of interest",
            weed_date=(datetime.now(UTC) + timedelta(days=30)).date(),
        )
        for v in on_camera + replayed
    ]
    entries += [HotlistEntry(vrm=random_uk_vrm(rng)[0], action="Report sighting only") for _ in range(5000)]
    load_revision(
        conn,
        "PNC-extract",
        entries[: len(on_camera) + len(replayed)] + entries[-5000:],
        ListSettings(owner="PNC", priority=1, max_age_s=86_400),
    )
    load_revision(
        conn,
        "Local-intel",
        [HotlistEntry(vrm=v, action="Report sighting only") for v in replayed[:2]],
        ListSettings(owner="Force intelligence bureau", priority=3, match_mode="exact"),
    )
    _say(f"hotlists: PNC-extract ({len(entries)} entries, {len(on_camera)} on the demo footage), Local-intel")
    return replayed


def _backfill(conn, cameras: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Five weeks of hourly read counts, so baselines, the board and reports have history."""
    from demo.replay import traffic_per_hour

    rng = random.Random(5)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    for cam in cameras:
        scale = rng.uniform(60, 160)
        for h in range(1, 24 * 35):
            t = now - timedelta(hours=h)
            rows.append((cam, t, int(scale * traffic_per_hour(t.hour) * rng.uniform(0.85, 1.15))))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO read_rollup_hourly(camera_id, hour, reads) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            rows,
        )


def _agent_broker(settings: CoreSettings, agent_id: str, site: str, fallback_url: str) -> dict:
    """The agent's own account and certificate on the local broker (mutual TLS, publish rights for its
    site only), as `anpr certs issue` makes them; an external broker keeps ANPR_MQTT_URL."""
    from anpr.security import mqtt_accounts
    from anpr.services import broker
    from anpr.services.state import load

    rec = load(settings.data_dir).services.get("mqtt")
    if settings.mqtt_url or rec is None or not (rec.pki_dir and rec.tls_port):
        return {"url": fallback_url}
    pki_dir = Path(rec.pki_dir)
    ident = mqtt_accounts.enrol(
        pki_dir, mqtt_accounts.Account(name=agent_id, role=mqtt_accounts.Role.AGENT, site_id=site)
    )
    broker.reload(rec)
    return {
        "url": f"mqtts://127.0.0.1:{rec.tls_port}",
        "tls": {
            "ca_file": str(ident.ca_file),
            "cert_file": str(ident.cert_file),
            "key_file": str(ident.key_file),
        },
    }


def _agent_config(work: Path, site: str, camera: str, clip: Path, broker: dict, opts: DemoOptions) -> Path:
    cfg = {
        "site_id": site,
        "agent_id": f"{site}-A1",
        "broker": broker,
        "profile": "x86-generic",
        "outbox": {"path": str(work / f"outbox-{site}.sqlite"), "quota_mb": 64},
        "heartbeat_interval_s": opts.heartbeat_s,
        "tracking": {"group_gap_s": 1.5, "max_delay_s": 7.5, "remember_s": 120, "min_frames": 2},
        "cameras": [
            {
                "camera_id": camera,
                "source": str(clip),
                "lane": 1,
                "expected_fps": opts.agent_fps,
                "loop": True,
                "realtime": True,
            }
        ],
    }
    path = work / f"agent-{site}.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path
