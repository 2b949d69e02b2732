"""The edge agent end to end: real models, real Mosquitto, real footage (synthetic, with truth)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from anpr.protocol import Read
from anpr.protocol.schema_export import SCHEMA_DIR
from central import store
from edge.agent import Agent
from edge.capture import frames_of
from edge.config import CameraConfig, TrackingConfig, load_config
from edge.detect import PlateDetector
from edge.ocr import PlateReader
from edge.onnx_models import MODELS_DIR, load
from edge.pipeline import CameraPipeline
from edge.profiles import load_profile
from edge.read_builder import ReadContext
from tests.harness import Collector, Running, ingest_worker, register
from tests.services import PrivateBroker as Broker

READ_SCHEMA = json.loads((SCHEMA_DIR / "read.v1.json").read_text())
TRACKING = {"group_gap_s": 1.0, "max_delay_s": 7.5, "remember_s": 300, "min_frames": 2}


def pipeline_for(camera: CameraConfig) -> CameraPipeline:
    profile = load_profile("x86-generic")
    det = load(MODELS_DIR / profile.detector_model, 2)
    ocr = load(MODELS_DIR / profile.ocr_model, 2)
    ctx = ReadContext("S01", "S01-A1", camera.camera_id, 1, {}, "test", profile)
    return CameraPipeline(camera, TrackingConfig(**TRACKING), PlateDetector(det, 640), PlateReader(ocr), ctx)


def test_recorded_clip_yields_one_read_per_vehicle(clip: tuple[Path, list]) -> None:
    path, truth = clip
    cam = CameraConfig(camera_id="S01-C1", source=str(path), realtime=False)
    pipe = pipeline_for(cam)
    reads: list[Read] = []
    for frame in frames_of(cam):
        reads += pipe.process(frame)
    reads += pipe.flush()
    got = [r.vrm for r in reads]
    expected = [v.vrm for v in truth]
    assert len(reads) == len(truth), f"one read per vehicle: got {got}, expected {expected}"
    assert sorted(got) == sorted(expected), f"got {got}, expected {expected}"
    for r in reads:
        jsonschema.validate(json.loads(r.model_dump_json(exclude_none=True)), READ_SCHEMA)
        assert r.frames_seen >= 2 and len(r.plate_jpeg) <= 3072 and len(r.overview_jpeg) <= 25 * 1024


@pytest.fixture()
def broker(tmp_path: Path) -> Iterator[Broker]:
    import shutil

    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        pytest.skip("mosquitto is installed by `make test`")
    b = Broker(tmp_path / "broker", agents={"S01-A1": "S01"})
    b.start()
    yield b
    b.stop()


def agent_yaml(tmp: Path, url: str, source: str, **camera: object) -> Path:
    cfg = {
        "site_id": "S01",
        "agent_id": "S01-A1",
        "broker": {"url": url},
        "heartbeat_interval_s": 2,
        "outbox": {"path": str(tmp / "outbox.sqlite")},
        "tracking": TRACKING,
        "cameras": [{"camera_id": "S01-C1", "source": source, "expected_fps": 10, **camera}],
    }
    p = tmp / "agent.yaml"
    p.write_text(yaml.safe_dump(cfg))
    return p


def test_broker_outage_loses_nothing_and_keeps_order(
    clip: tuple[Path, list], broker: Broker, database_url: str, tmp_path: Path
) -> None:
    path, truth = clip
    outage = float(os.environ.get("ANPR_TEST_OUTAGE_S", "60"))
    with store.connect(database_url) as conn:
        store.migrate(conn)
        register(conn, ["S01"])
    col = Collector(broker.tool_url, "collector-outage")
    time.sleep(0.3)
    agent = Agent(load_config(agent_yaml(tmp_path, broker.url, str(path), realtime=True)))
    t = threading.Thread(target=agent.run, kwargs={"exit_when_done": True, "drain_timeout_s": outage + 60})
    t.start()
    assert agent.link.connected.wait(10)
    time.sleep(1.0)
    broker.stop()  # the link is cut while vehicles keep passing
    time.sleep(outage)
    queued = agent.outbox.stats().depth if not agent.stop_event.is_set() else None
    broker.start()
    # The agent is done when central has confirmed every read, and not before.
    with Running(ingest_worker(database_url, broker.ingest_url)):
        t.join(outage + 150)
    assert not t.is_alive()
    deadline = time.monotonic() + 15
    while len({r.read_id for r in col.reads}) < len(truth) and time.monotonic() < deadline:
        time.sleep(0.2)
    col.close()
    ids = [r.read_id for r in col.reads]
    assert len(set(ids)) == len(truth), f"expected {len(truth)} reads, got {[r.vrm for r in col.reads]}"
    first = list(dict.fromkeys(ids))  # order of first arrival
    captured = [next(r for r in col.reads if r.read_id == i).captured_at for i in first]
    assert captured == sorted(captured), "reads arrive in order per camera"
    assert queued is None or queued >= 1  # reads were waiting in the outbox during the outage


def test_kill_9_loses_nothing_that_reached_the_outbox(
    clip: tuple[Path, list], broker: Broker, tmp_path: Path
) -> None:
    path, _truth = clip
    url, tool_url = broker.url, broker.tool_url
    broker.stop()  # no broker: every read stays in the outbox
    cfg = agent_yaml(tmp_path, url, str(path), realtime=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "anpr.cli.main", "edge", "run", "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / "outbox.sqlite"

    def depth() -> int:
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(db) as c:
                return c.execute("SELECT count(*) FROM outbox").fetchone()[0]
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 120
    while depth() < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with sqlite3.connect(db) as c:
        stored = [json.loads(p)["read_id"] for (p,) in c.execute("SELECT payload FROM outbox ORDER BY seq")]
    assert len(stored) >= 3
    broker.start()
    col = Collector(tool_url, "collector-kill")
    time.sleep(0.3)
    log2 = (tmp_path / "agent2.log").open("wb")
    proc2 = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anpr.cli.main",
            "edge",
            "run",
            "--config",
            str(cfg),
            "--exit-when-done",
            "--log-level",
            "DEBUG",
        ],
        stdout=log2,
        stderr=log2,
    )
    deadline = time.monotonic() + 120
    while not set(stored) <= {str(r.read_id) for r in col.reads} and time.monotonic() < deadline:
        time.sleep(0.2)
    proc2.send_signal(signal.SIGTERM)
    try:
        proc2.wait(90)
    except subprocess.TimeoutExpired:
        dump = subprocess.run(
            [str(Path(sys.executable).parent / "py-spy"), "dump", "--pid", str(proc2.pid)],
            capture_output=True,
            text=True,
        ).stdout
        proc2.kill()
        raise AssertionError(dump[-6000:]) from None
    col.close()
    assert set(stored) <= {str(r.read_id) for r in col.reads}


def test_bad_sources_are_counted_and_reported_while_the_agent_runs(broker: Broker, tmp_path: Path) -> None:
    import cv2
    import numpy as np

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(5):
        cv2.imwrite(str(folder / f"{i:03d}.jpg"), np.full((360, 640, 3), 60 + i, np.uint8))
    (folder / "002.jpg").write_bytes(b"\xff\xd8 broken")
    cfg = {
        "site_id": "S01",
        "agent_id": "S01-A9",
        "broker": {"url": broker.url},
        "heartbeat_interval_s": 1,
        "outbox": {"path": str(tmp_path / "o.sqlite")},
        "cameras": [
            {"camera_id": "S01-C1", "source": str(folder), "realtime": False, "loop": False},
            {"camera_id": "S01-C2", "source": "rtsp://127.0.0.1:9/nothing"},
        ],
    }
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(cfg))
    col = Collector(broker.tool_url, "collector-bad")
    agent = Agent(load_config(tmp_path / "a.yaml"))
    t = threading.Thread(target=agent.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    beats: list[dict] = []
    while time.monotonic() < deadline:
        beats = [m for m in col.other if m.get("kind") == "heartbeat"]
        if beats and {c["camera_id"]: c for c in beats[-1]["cameras"]}["S01-C1"]["frames_total"] == 4:
            break
        time.sleep(0.2)
    assert t.is_alive(), "the agent keeps running"
    cams = {c["camera_id"]: c for c in beats[-1]["cameras"]}
    assert cams["S01-C1"]["frames_bad"] == 1 and cams["S01-C1"]["frames_total"] == 4
    assert cams["S01-C2"]["state"] in ("reconnecting", "down") and "cannot open" in cams["S01-C2"]["error"]
    status = [m for m in col.other if m.get("kind") == "status"]
    assert status and status[-1]["state"] == "online"
    agent.stop_event.set()
    t.join(20)
    time.sleep(0.5)
    status = [m for m in col.other if m.get("kind") == "status"]
    assert status[-1]["state"] == "offline"  # a clean stop says so on the retained status topic
    col.close()
