"""Wire protocol v1: the messages that travel between edge agents, the central service and others.

Every message carries `schema_version` and `kind`. The JSON Schema files under
`schemas/` are generated from these models (`anpr protocol schemas`) and are the
contract for third parties.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from anpr.plates.formats import PlateFormat
from anpr.protocol.topics import ID_PATTERN

SCHEMA_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})

# Images travel inside the read (architecture decision); the national spec quoted
# in the domain notes bounds them.
MAX_PLATE_JPEG_BYTES = 3 * 1024
MAX_OVERVIEW_JPEG_BYTES = 25 * 1024
# A read with both images at their limits, base64-encoded, plus generous metadata.
MAX_READ_BYTES = 48 * 1024
MAX_OTHER_BYTES = 64 * 1024
# The broker's `message_size_limit`: no protocol message is larger, so the broker never drops one
# that the protocol allows (and an agent never publishes one that the broker would drop).
MAX_MESSAGE_BYTES = max(MAX_READ_BYTES, MAX_OTHER_BYTES)
# Read ids in one acknowledgement: 1,000 UUIDs are about 39 KB, inside MAX_OTHER_BYTES.
MAX_ACK_IDS = 1000
MAX_TIME_OFFSET_S = 10.0


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone (UTC)")
    return value.astimezone(UTC)


def _jpeg_limit(limit: int) -> AfterValidator:
    def check(value: bytes) -> bytes:
        if len(value) > limit:
            raise ValueError(f"image is {len(value)} bytes; the limit is {limit}")
        if value and not value.startswith(b"\xff\xd8"):
            raise ValueError("not a JPEG (missing the FFD8 start marker)")
        return value

    return AfterValidator(check)


def _b64decode(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not valid base64: {exc}") from exc


def _jpeg_field(limit: int, description: str):  # type: ignore[no-untyped-def]
    from pydantic import BeforeValidator, WithJsonSchema

    return Annotated[
        bytes,
        BeforeValidator(_b64decode),
        _jpeg_limit(limit),
        PlainSerializer(lambda b: base64.b64encode(b).decode("ascii"), return_type=str),
        WithJsonSchema(
            {
                "type": "string",
                "contentEncoding": "base64",
                "contentMediaType": "image/jpeg",
                "maxLength": (limit + 2) // 3 * 4,
                "description": description,
            }
        ),
    ]


UtcTime = Annotated[datetime, AfterValidator(_utc)]
Ident = Annotated[str, Field(pattern=ID_PATTERN)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PlateJpeg = _jpeg_field(MAX_PLATE_JPEG_BYTES, "plate patch, JPEG, at most 3 KB")
OverviewJpeg = _jpeg_field(MAX_OVERVIEW_JPEG_BYTES, "overview image, JPEG, at most 25 KB")


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: Literal[1] = 1


class PlateColour(StrEnum):
    WHITE = "white"  # front plate: vehicle approaching
    YELLOW = "yellow"  # rear plate: vehicle going away
    OTHER = "other"
    UNKNOWN = "unknown"


class Direction(StrEnum):
    APPROACHING = "approaching"
    RECEDING = "receding"
    UNKNOWN = "unknown"


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ReadCandidate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vrm: str = Field(min_length=1, max_length=16)
    confidence: Probability
    format: PlateFormat = PlateFormat.OTHER
    penalty: int = Field(default=0, ge=0)


class Read(Message):
    """One read per vehicle pass."""

    kind: Literal["read"] = "read"
    read_id: UUID = Field(description="UUIDv7 made at the edge; the idempotency key")
    site_id: Ident
    camera_id: Ident
    agent_id: Ident
    lane: int | None = Field(default=None, ge=0, le=16)
    captured_at: UtcTime = Field(description="capture clock of the best frame, UTC")
    first_seen_at: UtcTime | None = None
    last_seen_at: UtcTime | None = None
    clock_offset_s: float | None = Field(
        default=None, description="agent clock minus reference clock (NTP), seconds"
    )
    time_suspect: bool = False
    vrm: str = Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9]+$")
    raw_text: str = Field(max_length=32)
    format: PlateFormat
    confidence: Probability
    char_confidences: list[Probability] = Field(max_length=32)
    candidates: list[ReadCandidate] = Field(default_factory=list, max_length=10)
    detector_confidence: Probability
    box: tuple[int, int, int, int] = Field(description="x1, y1, x2, y2 in overview pixels")
    corners: list[tuple[float, float]] | None = Field(default=None, min_length=4, max_length=4)
    plate_colour: PlateColour = PlateColour.UNKNOWN
    direction: Direction = Direction.UNKNOWN
    frames_seen: int = Field(ge=1)
    plate_jpeg: PlateJpeg
    overview_jpeg: OverviewJpeg
    models: dict[str, ModelInfo] = Field(default_factory=dict, max_length=8)
    agent_version: str = Field(max_length=32)

    @model_validator(mode="after")
    def _check(self) -> Read:
        if self.read_id.version != 7:
            raise ValueError("read_id must be a UUIDv7")
        if len(self.char_confidences) not in (0, len(self.raw_text)):
            raise ValueError("char_confidences must have one value per raw_text character")
        x1, y1, x2, y2 = self.box
        if x2 <= x1 or y2 <= y1:
            raise ValueError("box must have x2 > x1 and y2 > y1")
        return self


class CameraState(StrEnum):
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    DOWN = "down"
    STOPPED = "stopped"


class CameraHealth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    camera_id: Ident
    state: CameraState
    fps: float = Field(ge=0)
    last_frame_at: UtcTime | None = None
    frames_total: int = Field(default=0, ge=0)
    frames_dropped: int = Field(default=0, ge=0)
    frames_bad: int = Field(default=0, ge=0)
    reads_total: int = Field(default=0, ge=0)
    error: str | None = Field(default=None, max_length=500)


class OutboxHealth(BaseModel):
    """Every read stays in the outbox until central confirms it stored it (an `ack` message)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    depth: int = Field(ge=0, description="reads held: not yet published, or published and unconfirmed")
    oldest_at: UtcTime | None = None
    evicted_total: int = Field(default=0, ge=0)
    bytes: int = Field(default=0, ge=0)
    unconfirmed: int = Field(default=0, ge=0, description="reads published and awaiting central's ack")
    oldest_unconfirmed_s: float | None = Field(
        default=None, ge=0, description="seconds since the oldest unconfirmed read was first published"
    )
    republished_total: int = Field(default=0, ge=0, description="reads sent again after their ack timeout")
    dead_letters_total: int = Field(
        default=0, ge=0, description="reads over the size limit that could not be shrunk, kept on the device"
    )


class Heartbeat(Message):
    kind: Literal["heartbeat"] = "heartbeat"
    site_id: Ident
    agent_id: Ident
    sent_at: UtcTime
    interval_s: float = Field(gt=0, le=3600)
    uptime_s: float = Field(ge=0)
    cameras: list[CameraHealth] = Field(max_length=64)
    outbox: OutboxHealth
    disk_free_bytes: int | None = Field(default=None, ge=0)
    cpu_temp_c: float | None = None
    clock_offset_s: float | None = None
    models: dict[str, ModelInfo] = Field(default_factory=dict, max_length=8)
    agent_version: str = Field(max_length=32)


class AgentState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class Status(Message):
    """Retained on the status topic; the last will publishes the offline form."""

    kind: Literal["status"] = "status"
    site_id: Ident
    agent_id: Ident
    state: AgentState
    at: UtcTime | None = Field(default=None, description="absent in a last will (sent by the broker)")
    cameras: list[Ident] = Field(default_factory=list, max_length=64)


class ReadAck(Message):
    """Central to one agent, after the batch holding these reads committed: each is safe (stored,
    already stored, or kept in central's dead letters) and may leave the agent's outbox."""

    kind: Literal["ack"] = "ack"
    site_id: Ident
    agent_id: Ident
    sent_at: UtcTime
    stored: list[UUID] = Field(default_factory=list, max_length=MAX_ACK_IDS)
    duplicate: list[UUID] = Field(default_factory=list, max_length=MAX_ACK_IDS)
    dead: list[UUID] = Field(default_factory=list, max_length=MAX_ACK_IDS)

    @model_validator(mode="after")
    def _check(self) -> ReadAck:
        if len(self.stored) + len(self.duplicate) + len(self.dead) > MAX_ACK_IDS:
            raise ValueError(f"an ack names at most {MAX_ACK_IDS} reads")
        return self

    def read_ids(self) -> list[UUID]:
        return [*self.stored, *self.duplicate, *self.dead]


class MatchType(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"


class Alert(Message):
    kind: Literal["alert"] = "alert"
    alert_id: UUID
    priority: int = Field(ge=1, le=9, description="1 is the most urgent")
    read_id: UUID
    vrm_read: str = Field(max_length=16)
    vrm_listed: str = Field(max_length=16)
    match_type: MatchType
    differing_positions: list[int] = Field(default_factory=list, max_length=16)
    list_name: str = Field(max_length=64)
    list_revision: int = Field(ge=0)
    action: str = Field(default="", max_length=500)
    warning_markers: list[str] = Field(default_factory=list, max_length=16)
    reason: str = Field(default="", max_length=500)
    site_id: Ident
    camera_id: Ident
    lane: int | None = None
    direction: Direction = Direction.UNKNOWN
    captured_at: UtcTime
    raised_at: UtcTime
    confidence: Probability


AnyMessage = Annotated[Read | Heartbeat | Status | Alert | ReadAck, Field(discriminator="kind")]
MESSAGE_TYPES: dict[str, type[Message]] = {
    "read": Read,
    "heartbeat": Heartbeat,
    "status": Status,
    "alert": Alert,
    "ack": ReadAck,
}
