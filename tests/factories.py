"""Valid wire messages for tests, built from the real models."""

from __future__ import annotations

from datetime import UTC, datetime

from anpr.ids import uuid7
from anpr.protocol import Heartbeat, OutboxHealth, Read

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"


def make_read(vrm: str = "AB51ABC", site: str = "S01", camera: str = "S01-C1", **kw: object) -> Read:
    fields: dict[str, object] = dict(
        read_id=uuid7(),
        site_id=site,
        camera_id=camera,
        agent_id=f"{site}-A1",
        captured_at=datetime.now(UTC),
        vrm=vrm,
        raw_text=vrm,
        format="current",
        confidence=0.97,
        char_confidences=[0.97] * len(vrm),
        detector_confidence=0.9,
        box=(100, 200, 220, 230),
        frames_seen=5,
        plate_jpeg=JPEG,
        overview_jpeg=JPEG,
        agent_version="test",
    )
    fields.update(kw)
    return Read(**fields)  # type: ignore[arg-type]


def make_heartbeat(site: str = "S01", agent: str = "S01-A1", **kw: object) -> Heartbeat:
    fields: dict[str, object] = dict(
        site_id=site,
        agent_id=agent,
        sent_at=datetime.now(UTC),
        interval_s=30,
        uptime_s=10,
        cameras=[],
        outbox=OutboxHealth(depth=0),
        agent_version="test",
    )
    fields.update(kw)
    return Heartbeat(**fields)  # type: ignore[arg-type]
