"""Turn a pydantic ValidationError into lines that name each bad field and what was expected."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError, source: str = "") -> str:
    lines = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        lines.append(f"{source + ': ' if source else ''}{field}: {err['msg']}{shown}")
    return "\n".join(lines)
