"""Turn a finished track into a protocol v1 Read: best shot, candidates, evidence, provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from anpr.ids import uuid7
from anpr.protocol import ModelInfo, PlateColour, Read, ReadCandidate
from anpr.protocol.messages import MAX_TIME_OFFSET_S
from edge.direction import direction
from edge.images import overview, plate_patch
from edge.profiles import Profile
from edge.track import Track


@dataclass(frozen=True)
class ReadContext:
    site_id: str
    agent_id: str
    camera_id: str
    lane: int | None
    models: dict[str, ModelInfo]
    agent_version: str
    profile: Profile


def build_read(track: Track, ctx: ReadContext, clock_offset_s: float | None) -> Read:
    best = track.best()
    o = best.ocr
    ts = lambda t: datetime.fromtimestamp(t, UTC)  # noqa: E731
    colour = PlateColour(best.colour)
    dy, growth = track.motion()
    captured = ts(best.t)
    return Read(
        read_id=uuid7(int(best.t * 1000)),
        site_id=ctx.site_id,
        camera_id=ctx.camera_id,
        agent_id=ctx.agent_id,
        lane=ctx.lane,
        captured_at=captured,
        first_seen_at=ts(track.first_t),
        last_seen_at=ts(track.last.t),
        clock_offset_s=clock_offset_s,
        time_suspect=clock_offset_s is not None and abs(clock_offset_s) > MAX_TIME_OFFSET_S,
        vrm=o.text,
        raw_text=o.raw.text[:32],
        format=o.format,
        confidence=round(min(1.0, o.confidence), 4),
        char_confidences=[round(min(1.0, c), 4) for c in o.raw.char_confidences][:32] if o.raw.text else [],
        candidates=[
            ReadCandidate(
                vrm=c.vrm, confidence=round(min(1.0, c.confidence), 4), format=c.format, penalty=c.penalty
            )
            for c in o.candidates[:10]
            if c.vrm
        ],
        detector_confidence=round(min(1.0, best.det_score), 4),
        box=best.box,
        corners=[(round(float(x), 1), round(float(y), 1)) for x, y in best.corners],
        plate_colour=colour,
        direction=direction(colour, dy, growth),
        frames_seen=len(track.sightings),
        plate_jpeg=plate_patch(best.frame, best.corners, ctx.profile.plate_jpeg_quality),
        overview_jpeg=overview(
            best.frame, ctx.profile.overview_width, ctx.profile.overview_jpeg_quality, best.box
        ),
        models=ctx.models,
        agent_version=ctx.agent_version,
    )
