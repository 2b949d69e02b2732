"""Edge stages that need no model: outbox, tracker, config, capture, images, direction."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from anpr.plates import PlateFormat
from anpr.protocol import CameraState, Direction, PlateColour
from anpr.protocol.messages import MAX_OVERVIEW_JPEG_BYTES, MAX_PLATE_JPEG_BYTES
from edge.capture import Capture
from edge.config import CameraConfig, ConfigError, TrackingConfig, load_config
from edge.direction import direction, plate_colour
from edge.images import overview, plate_patch
from edge.ocr import OcrResult
from edge.ocr_decode import Decoded
from edge.outbox import Outbox
from edge.track import Sighting, Tracker

# -- outbox -----------------------------------------------------------------------------------


def test_outbox_order_ack_and_durability(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", 10_000_000)
    seqs = [box.put("t", f"m{i}".encode()) for i in range(5)]
    assert [e.payload for e in box.pending()] == [b"m0", b"m1", b"m2", b"m3", b"m4"]
    box.ack(seqs[0])
    box.ack(seqs[2])
    box.close()
    again = Outbox(tmp_path / "o.sqlite", 10_000_000)  # reopened: nothing acknowledged is lost
    assert [e.payload for e in again.pending()] == [b"m1", b"m3", b"m4"]
    assert [e.payload for e in again.pending(after_seq=seqs[1])] == [b"m3", b"m4"]
    assert again.stats().depth == 3


def test_outbox_quota_evicts_oldest_and_counts(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", 1000)
    for i in range(25):
        box.put("t", bytes([i]) * 100)
    st = box.stats()
    assert st.bytes <= 1000 and st.depth == 10 and st.evicted_total == 15
    assert box.pending()[0].payload[0] == 15  # the oldest went first


def test_outbox_forgets_only_what_central_confirms_and_keeps_unsendable_reads(tmp_path: Path) -> None:
    from tests.factories import make_read

    box = Outbox(tmp_path / "o.sqlite", 10_000_000)
    reads = [make_read(vrm=f"CF{10 + i}ABC") for i in range(4)]
    seqs = [box.put("anpr/v1/S01/S01-C1/read", r.model_dump_json().encode()) for r in reads]
    gone = box.confirm([str(reads[1].read_id).upper(), str(reads[3].read_id), "not-ours"])
    assert gone == [seqs[1], seqs[3]]
    assert [e.seq for e in box.pending()] == [seqs[0], seqs[2]]
    box.dead_letter(seqs[0], "too large")
    assert box.dead_letters() == [(seqs[0], "anpr/v1/S01/S01-C1/read", "too large")]
    st = box.stats()
    assert (st.depth, st.dead_letters_total) == (1, 1)
    assert st.bytes == len(reads[2].model_dump_json())


def test_an_outbox_written_before_acknowledgements_gains_read_ids(tmp_path: Path) -> None:
    import sqlite3

    from tests.factories import make_read

    r = make_read()
    with sqlite3.connect(tmp_path / "o.sqlite") as c:  # the schema of the earlier release
        c.executescript(
            "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
            "payload BLOB NOT NULL, created_at REAL NOT NULL);"
        )
        c.execute(
            "INSERT INTO outbox(topic, payload, created_at) VALUES (?, ?, 0)",
            ("a/b/c/d/read", r.model_dump_json()),
        )
    box = Outbox(tmp_path / "o.sqlite", 10_000_000)
    assert box.confirm([str(r.read_id)]) == [1] and box.stats().depth == 0


def test_read_fit_shrinks_images_and_refuses_what_cannot_fit() -> None:
    import base64
    import json

    from anpr.protocol import decode
    from edge.read_fit import fit
    from tests.factories import make_read

    topic = "anpr/v1/S01/S01-C1/read"
    small = make_read().model_dump_json().encode()
    assert fit(topic, small).payload is small
    noise = np.random.default_rng(1).integers(0, 255, (900, 1200, 3), dtype=np.uint8)
    big = cv2.imencode(".jpg", noise, [cv2.IMWRITE_JPEG_QUALITY, 100])[1].tobytes()
    data = json.loads(small)
    data["overview_jpeg"] = base64.b64encode(big).decode()
    out = fit(topic, json.dumps(data).encode()).payload
    assert out is not None
    assert len(decode(out).overview_jpeg) <= MAX_OVERVIEW_JPEG_BYTES  # type: ignore[attr-defined]
    data["agent_version"] = "x" * 100_000
    refused = fit(topic, json.dumps(data).encode())
    assert refused.payload is None and "limit is 49152" in refused.reason
    assert "limit is 65536" in fit("anpr/v1/S01/S01-A1/heartbeat", b"x" * 70_000).reason


def test_outbox_survives_kill_9(tmp_path: Path) -> None:
    code = (
        "from edge.outbox import Outbox; import os, pathlib\n"
        f"b = Outbox(pathlib.Path('{tmp_path}/o.sqlite'), 10**7)\n"
        "for i in range(50): b.put('t', str(i).encode())\nos.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    assert Outbox(tmp_path / "o.sqlite", 10**7).stats().depth == 50


# -- tracker ----------------------------------------------------------------------------------


def ocr(text: str, conf: float = 0.9) -> OcrResult:
    return OcrResult(
        text,
        Decoded(text, [conf] * len(text), conf),
        PlateFormat.CURRENT,
        conf,
        [conf] * len(text),
        model_confidence=conf,
    )


def sighting(t: float, x: int, text: str, conf: float = 0.9) -> Sighting:
    return Sighting(
        t, (x, 100, x + 100, 125), np.zeros((4, 2), np.float32), 0.9, ocr(text, conf), frame=object()
    )


def test_one_read_per_vehicle_with_vote_and_best_shot() -> None:
    tr = Tracker(TrackingConfig(group_gap_s=1.0, max_delay_s=10, min_frames=2))
    out = []
    # A vehicle seen for 1 s with one misread among its frames.
    for i in range(10):
        text = "AB51ABC" if i != 4 else "A851ABC"
        out += tr.update(i * 0.1, [sighting(i * 0.1, 100 + i * 5, text, 0.8 + i * 0.01)])
    assert out == []  # still in view
    out += tr.update(1.5, [])
    out += tr.update(2.5, [])
    assert len(out) == 1
    track = out[0]
    assert track.text() == "AB51ABC" and len(track.sightings) == 10
    assert track.best().ocr.confidence == pytest.approx(0.89)
    # Frames are kept only for the best shot per text (memory bound on long tracks).
    assert sum(s.frame is not None for s in track.sightings) == 2


def test_two_vehicles_side_by_side_are_two_reads() -> None:
    tr = Tracker(TrackingConfig(group_gap_s=0.5, min_frames=2))
    out = []
    for i in range(5):
        out += tr.update(i * 0.1, [sighting(i * 0.1, 100, "AB51ABC"), sighting(i * 0.1, 600, "XY19ZZZ")])
    out += tr.flush()
    assert sorted(t.text() for t in out) == ["AB51ABC", "XY19ZZZ"]


def test_queue_is_not_re_read_and_max_delay_emits_while_in_view() -> None:
    tr = Tracker(TrackingConfig(group_gap_s=1.0, max_delay_s=2.0, remember_s=300, min_frames=2))
    out = []
    emitted_at = []
    t = 0.0
    while t < 5.0:  # stationary in view for 5 s: one read, emitted at max_delay
        new = tr.update(t, [sighting(t, 100, "AB51ABC")])
        emitted_at += [t] * len(new)
        out += new
        t += 0.1
    assert len(out) == 1 and 2.0 <= emitted_at[0] < 2.2
    out += tr.update(7.0, [])  # leaves ...
    for k in range(5):  # ... and is seen again 60 s later in a queue: not a new pass
        out += tr.update(60 + k * 0.1, [sighting(60 + k * 0.1, 100, "AB51ABC")])
    out += tr.update(70, [])
    assert len(out) == 1
    for k in range(5):  # after remember_s it is a new pass
        out += tr.update(400 + k * 0.1, [sighting(400 + k * 0.1, 100, "AB51ABC")])
    out += tr.update(410, [])
    assert len(out) == 2


def test_single_frame_ghosts_are_not_reads() -> None:
    tr = Tracker(TrackingConfig(group_gap_s=0.5, min_frames=2))
    assert tr.update(0, [sighting(0, 100, "AB51ABC")]) == []
    assert tr.update(5, []) == []


# -- config -----------------------------------------------------------------------------------

GOOD = """
site_id: S01
agent_id: S01-A1
broker: {url: "mqtt://127.0.0.1:1883"}
cameras:
  - {camera_id: S01-C1, source: clip.mp4, lane: 1, direction: approaching, expected_fps: 25}
"""


def test_config_ok_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    cfg = load_config(tmp_path / "a.yaml")
    assert cfg.cameras[0].source == str(tmp_path / "clip.mp4")
    assert cfg.outbox.path == tmp_path / "outbox.sqlite"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("expected_fps: 25", "expected_fps: -3"), "cameras.0.expected_fps"),
        (("mqtt://127.0.0.1:1883", "http://x"), "broker.url"),
        (("site_id: S01", "site_id: 'S 01/x'"), "site_id"),
        (("lane: 1", "lane: 1, zoom: 3"), "cameras.0.zoom"),
    ],
)
def test_config_errors_name_the_field(tmp_path: Path, change: tuple[str, str], field: str) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "a.yaml")
    assert field in str(err.value)


def test_cli_malformed_config_exits_nonzero(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("agent_id: S01-A1\n", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "anpr.cli.main", "edge", "run", "--config", str(tmp_path / "a.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "agent_id" in proc.stderr and "Traceback" not in proc.stderr


# -- capture ----------------------------------------------------------------------------------


def drain(cap: Capture, timeout: float = 20) -> int:
    n = 0
    deadline = time.monotonic() + timeout
    while not cap.finished and time.monotonic() < deadline:
        if cap.take(0.2) is not None:
            n += 1
    return n


def test_folder_with_corrupt_images_skips_and_counts(tmp_path: Path) -> None:
    for i in range(4):
        cv2.imwrite(str(tmp_path / f"{i}.jpg"), np.full((60, 80, 3), i * 40, np.uint8))
    (tmp_path / "2.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    cap = Capture(CameraConfig(camera_id="C1", source=str(tmp_path), realtime=False)).start()
    assert drain(cap) == 3
    assert cap.stats.frames_bad == 1 and cap.stats.state is CameraState.STOPPED
    cap.stop()


def test_truncated_video_is_counted_and_marked_down(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (160, 120))
    rng = np.random.default_rng(0)
    for _ in range(100):
        w.write(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    w.release()
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    cap = Capture(CameraConfig(camera_id="C1", source=str(cut), realtime=False)).start()
    n = drain(cap)
    assert n < 100
    assert cap.stats.state in (CameraState.DOWN, CameraState.STOPPED)
    cap.stop()


def test_unreachable_rtsp_reconnects_with_backoff() -> None:
    cap = Capture(CameraConfig(camera_id="C1", source="rtsp://127.0.0.1:9/none"), max_backoff_s=1).start()
    time.sleep(3)
    assert cap.stats.state is CameraState.RECONNECTING
    assert "cannot open" in (cap.stats.error or "")
    assert cap.take() is None
    cap.stop()


# -- evidence and direction -------------------------------------------------------------------


def test_images_fit_the_national_limits() -> None:
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8)  # noise: the worst case for JPEG
    quad = np.array([[800, 600], [1200, 600], [1200, 690], [800, 690]], np.float32)
    patch = plate_patch(frame, quad)
    ov = overview(frame, 640, 50, (800, 600, 1200, 690))
    assert len(patch) <= MAX_PLATE_JPEG_BYTES and len(ov) <= MAX_OVERVIEW_JPEG_BYTES
    img = cv2.imdecode(np.frombuffer(patch, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[1] <= 120 and img.shape[0] <= 60


def test_plate_colour_and_direction() -> None:
    quad = np.array([[10, 10], [110, 10], [110, 35], [10, 35]], np.float32)
    yellow = np.zeros((50, 130, 3), np.uint8)
    yellow[10:35, 10:110] = (24, 204, 250)  # BGR
    white = np.zeros((50, 130, 3), np.uint8)
    white[:] = (160, 40, 30)  # a blue car around a white front plate
    white[10:35, 10:110] = (236, 238, 236)
    ir = cv2.cvtColor(cv2.cvtColor(white, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert plate_colour(yellow, quad) is PlateColour.YELLOW
    assert plate_colour(white, quad) is PlateColour.WHITE
    assert plate_colour(ir, quad) is PlateColour.UNKNOWN
    assert direction(PlateColour.YELLOW, 50, 0.5) is Direction.RECEDING
    assert direction(PlateColour.UNKNOWN, 40, 0.3) is Direction.APPROACHING
    assert direction(PlateColour.UNKNOWN, -40, -0.3) is Direction.RECEDING


def test_clock_watch_sees_a_step_of_the_wall_clock() -> None:
    from edge.clock_watch import ClockWatch

    wall, mono = [1_000_000.0], [50.0]

    def tick(s: float) -> None:
        wall[0] += s
        mono[0] += s

    no_chrony = ClockWatch(wall=lambda: wall[0], mono=lambda: mono[0], chrony=lambda: None)
    tick(30)
    assert no_chrony.offset_s() is None  # nothing known: no chrony, no step
    wall[0] += 3600  # someone sets the clock an hour fast
    tick(1)
    assert no_chrony.offset_s() == 3600.0
    wall[0] -= 3600  # and puts it right
    assert no_chrony.offset_s() is None

    chrony = [0.004]
    with_chrony = ClockWatch(wall=lambda: wall[0], mono=lambda: mono[0], chrony=lambda: chrony[0])
    assert with_chrony.offset_s() == 0.004
    wall[0] -= 120  # a jump between two questions to chrony counts at once
    tick(5)
    assert with_chrony.offset_s() == -119.996
    chrony[0] = -120.0  # a minute later chrony reports the same step itself: not counted twice
    tick(60)
    assert with_chrony.offset_s() == -120.0
