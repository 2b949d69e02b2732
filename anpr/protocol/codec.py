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
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, a 5,000-digit number, [[[[…
        raise ProtocolError("", f"not valid JSON: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if not isinstance(data, dict):
        raise ProtocolError("", "expected a JSON object")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int | str) or version not in SUPPORTED_VERSIONS:
        raise ProtocolError(
            "schema_version",
            f"unsupported version {version!r}; this build speaks {sorted(SUPPORTED_VERSIONS)}",
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ProtocolError("kind", f"unknown kind {kind!r}; expected one of {sorted(MESSAGE_TYPES)}")
    if len(raw) > size_limit(kind):
        raise ProtocolError("", f"{kind} is {len(raw)} bytes; the limit is {size_limit(kind)}")
    if expect is not None and MESSAGE_TYPES[kind] is not expect:
        raise ProtocolError("kind", f"expected {expect.__name__.lower()}, got {kind}")
    if b"\\u0000" in raw and (where := _nul_at(data)) is not None:
        # PostgreSQL text cannot hold NUL, and no field of ours has a use for it.
        raise ProtocolError(where, "NUL characters are not allowed")
    try:
        return _ANY.validate_python(data)
    except ValidationError as exc:
        raise _first_error(exc) from exc


def _nul_at(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character, else None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if "\x00" in str(k):
                return sub
            if (found := _nul_at(v, sub)) is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if (found := _nul_at(v, f"{path}.{i}" if path else str(i))) is not None:
                return found
    return None


def _first_error(exc: ValidationError) -> ProtocolError:
    err: dict[str, Any] = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    # The discriminated union puts the kind first in the location; it is not a field.
    if loc and loc[0] in MESSAGE_TYPES:
        loc = loc[1:]
    return ProtocolError(".".join(loc), err["msg"])
