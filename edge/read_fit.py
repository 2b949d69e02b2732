"""Make an oversized message fit the protocol before it is published, or say why it cannot.

The broker drops anything over its `message_size_limit` after acknowledging it, so the agent
must never send such a thing. A read's images are the only part that can honestly be made
smaller: each is re-encoded at lower JPEG quality, then scaled down, until it is within its own
limit. Anything else over the limit cannot be shrunk without changing what the read says."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

import cv2
import numpy as np

from anpr.protocol import ProtocolError, decode
from anpr.protocol.codec import size_limit
from anpr.protocol.messages import MAX_OVERVIEW_JPEG_BYTES, MAX_PLATE_JPEG_BYTES

IMAGE_LIMITS = {"plate_jpeg": MAX_PLATE_JPEG_BYTES, "overview_jpeg": MAX_OVERVIEW_JPEG_BYTES}
QUALITIES = (80, 60, 40, 25)


@dataclass(frozen=True)
class Fitted:
    payload: bytes | None  # None: it cannot be made to fit
    reason: str = ""


def topic_kind(topic: str) -> str:
    return topic.rsplit("/", 1)[-1]


def shrink_jpeg(data: bytes, limit: int) -> bytes | None:
    """The same picture as a JPEG of at most `limit` bytes, or None if it is not a picture."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    while min(image.shape[:2]) >= 8:
        for q in QUALITIES:
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, q])
            if ok and len(buf) <= limit:
                return buf.tobytes()
        image = cv2.resize(image, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
    return None


def fit(topic: str, payload: bytes) -> Fitted:
    """`payload` itself if within the limit for its kind, a valid smaller copy, or the reason why not."""
    kind = topic_kind(topic)
    limit = size_limit(kind)
    if len(payload) <= limit:
        return Fitted(payload)
    too_big = f"{kind} is {len(payload)} bytes; the protocol's limit is {limit}"
    if kind != "read":
        return Fitted(None, too_big)
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return Fitted(None, f"{too_big}, and it is not JSON")
    if not isinstance(data, dict):
        return Fitted(None, f"{too_big}, and it is not a JSON object")
    for name, image_limit in IMAGE_LIMITS.items():
        value = data.get(name)
        if not isinstance(value, str):
            continue
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return Fitted(None, f"{too_big}, and {name} is not base64")
        if len(raw) > image_limit:
            small = shrink_jpeg(raw, image_limit)
            if small is None:
                return Fitted(None, f"{too_big}, and {name} cannot be re-encoded within {image_limit} bytes")
            data[name] = base64.b64encode(small).decode("ascii")
    out = json.dumps(data, separators=(",", ":")).encode()
    if len(out) > limit:
        return Fitted(None, f"{too_big}; {len(out)} bytes with its images shrunk")
    try:
        decode(out)
    except ProtocolError as exc:
        return Fitted(None, f"{too_big}; shrunk, it is still not a valid read: {exc}")
    return Fitted(out)
