"""Encode and decode wire messages with size limits and errors that name the field."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from anpr.protocol.messages import (
    MAX_OTHER_BYTES,
    MAX_READ_BYTES,
    MESSAGE_TYPES,
    SUPPORTED_VERSIONS,
    AnyMessage,
    Message,
)

M = TypeVar("M", bound=Message)
_ANY = TypeAdapter(AnyMessage)


class ProtocolError(ValueError):
    """A message that is not valid protocol v1. `field` is a dotted path ('' for the whole)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field or 'message'}: {reason}")
        self.field = field
        self.reason = reason


def size_limit(kind: str) -> int:
    return MAX_READ_BYTES if kind == "read" else MAX_OTHER_BYTES


def encode(message: Message) -> bytes:
    data = message.model_dump_json(exclude_none=True).encode()
    kind = getattr(message, "kind", "")
    if len(data) > size_limit(kind):
        raise ProtocolError("", f"encoded {kind} is {len(data)} bytes; the limit is {size_limit(kind)}")
    return data


def decode(payload: bytes | str, expect: type[M] | None = None) -> Message:
    """Parse and validate one message; raises ProtocolError naming the first bad field."""
    raw = payload.encode() if isinstance(payload, str) else payload
    if len(raw) > MAX_OTHER_BYTES:
        raise ProtocolError("", f"payload is {len(raw)} bytes; no message may exceed {MAX_OTHER_BYTES}")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError("", f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ProtocolError("", "expected a JSON object")
    version = data.get("schema_version")
    if version not in SUPPORTED_VERSIONS:
        raise ProtocolError(
            "schema_version",
            f"unsupported version {version!r}; this build speaks {sorted(SUPPORTED_VERSIONS)}",
        )
    kind = data.get("kind")
    if kind not in MESSAGE_TYPES:
        raise ProtocolError("kind", f"unknown kind {kind!r}; expected one of {sorted(MESSAGE_TYPES)}")
    if len(raw) > size_limit(kind):
        raise ProtocolError("", f"{kind} is {len(raw)} bytes; the limit is {size_limit(kind)}")
    if expect is not None and MESSAGE_TYPES[kind] is not expect:
        raise ProtocolError("kind", f"expected {expect.__name__.lower()}, got {kind}")
    try:
        return _ANY.validate_python(data)
    except ValidationError as exc:
        raise _first_error(exc) from exc


def _first_error(exc: ValidationError) -> ProtocolError:
    err: dict[str, Any] = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    # The discriminated union puts the kind first in the location; it is not a field.
    if loc and loc[0] in MESSAGE_TYPES:
        loc = loc[1:]
    return ProtocolError(".".join(loc), err["msg"])
