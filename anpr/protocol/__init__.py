"""Wire protocol v1 between edge, central and third parties."""

from anpr.protocol.codec import ProtocolError, decode, encode
from anpr.protocol.messages import (
    AgentState,
    Alert,
    CameraHealth,
    CameraState,
    Direction,
    Heartbeat,
    MatchType,
    Message,
    ModelInfo,
    OutboxHealth,
    PlateColour,
    Read,
    ReadAck,
    ReadCandidate,
    Status,
)

__all__ = [
    "AgentState",
    "Alert",
    "CameraHealth",
    "CameraState",
    "Direction",
    "Heartbeat",
    "MatchType",
    "Message",
    "ModelInfo",
    "OutboxHealth",
    "PlateColour",
    "ProtocolError",
    "Read",
    "ReadAck",
    "ReadCandidate",
    "Status",
    "decode",
    "encode",
]
