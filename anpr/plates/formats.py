"""The shapes of UK registration marks and the rules each must obey.

A *shape* is one fixed-length pattern: a character set per position plus an
optional rule over the whole mark (the age identifier, the Northern Ireland
code). Formats with a variable number of digits expand into several shapes, so
classification and candidate correction are the same walk over positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlateFormat(StrEnum):
    CURRENT = "current"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    Q = "q"
    DATELESS = "dateless"
    NI = "ni"
    OTHER = "other"


DIGITS = "0123456789"
NONZERO = "123456789"
# Letters A-Y without I and Q: memory tags, prefix/suffix/dateless letters.
LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
# The three random letters of the current format may also be Z.
RANDOM = LETTERS + "Z"
# Year letters of prefix and suffix marks: no I, O, Q, U, Z.
YEAR = "ABCDEFGHJKLMNPRSTVWXY"

NI_CODES: frozenset[str] = frozenset(
    {"IA", "IB", "IG", "IJ", "IL", "IW", "JI", "OI", "UI", "XI"}
    | {f"{c}Z" for c in "ABCDEFGHJKLMNOPRSTUVWXY"}
)
NI_FIRST = "".join(sorted({code[0] for code in NI_CODES}))
NI_SECOND = "".join(sorted({code[1] for code in NI_CODES}))

_NORMALISE_DROP = re.compile(r"[\s\-]+")


def normalise(text: str) -> str:
    """Upper case with spaces and hyphens dropped: the form every VRM is stored and matched in."""
    return _NORMALISE_DROP.sub("", text).upper()


def issued_ages(today: date) -> tuple[set[int], set[int]]:
    """(issued, not yet issued) two-digit age identifiers of the current format on `today`.

    March of year Y issues Y % 100, September issues Y % 100 + 50. 00, 01 and 50
    were never issued and are in neither set.
    """
    yy = today.year % 100
    latest_march = yy if today.month >= 3 else yy - 1
    latest_sept = yy + 50 if today.month >= 9 else yy + 49
    issued = set(range(2, latest_march + 1)) | set(range(51, latest_sept + 1))
    not_yet = (set(range(2, 50)) | set(range(51, 100))) - issued
    return issued, not_yet


NEVER_ISSUED_AGES = frozenset({0, 1, 50})

Rule = Callable[[str, date], list[str]]


def _current_age_rule(vrm: str, today: date) -> list[str]:
    age = int(vrm[2:4])
    if age in NEVER_ISSUED_AGES:
        return [f"age_never_issued: {vrm[2:4]}"]
    _, not_yet = issued_ages(today)
    if age in not_yet:
        return [f"age_not_yet_issued: {vrm[2:4]}"]
    return []


def _ni_code_rule(start: int) -> Rule:
    def rule(vrm: str, today: date) -> list[str]:
        code = vrm[start : start + 2]
        return [] if code in NI_CODES else [f"not_an_ni_code: {code}"]

    return rule


@dataclass(frozen=True, slots=True)
class Shape:
    format: PlateFormat
    slots: tuple[str, ...]
    rule: Rule | None = None

    def fits(self, vrm: str) -> bool:
        return len(vrm) == len(self.slots) and all(c in s for c, s in zip(vrm, self.slots, strict=True))

    def rule_issues(self, vrm: str, today: date) -> list[str]:
        return self.rule(vrm, today) if self.rule else []


def _number(n: int) -> tuple[str, ...]:
    """n digits without a leading zero."""
    return (NONZERO,) + (DIGITS,) * (n - 1)


def _build_shapes() -> tuple[Shape, ...]:
    shapes: list[Shape] = [
        Shape(
            PlateFormat.CURRENT,
            (LETTERS, LETTERS, DIGITS, DIGITS, RANDOM, RANDOM, RANDOM),
            _current_age_rule,
        ),
    ]
    for n in (1, 2, 3):
        shapes.append(Shape(PlateFormat.PREFIX, (YEAR, *_number(n), LETTERS, LETTERS, LETTERS)))
    for n in (1, 2, 3):
        shapes.append(Shape(PlateFormat.SUFFIX, (LETTERS, LETTERS, LETTERS, *_number(n), YEAR)))
    for n in (1, 2, 3):
        shapes.append(Shape(PlateFormat.Q, ("Q", *_number(n), LETTERS, LETTERS, LETTERS)))
    for n in (1, 2, 3, 4):
        shapes.append(Shape(PlateFormat.NI, (NI_FIRST, NI_SECOND, *_number(n)), _ni_code_rule(0)))
        shapes.append(Shape(PlateFormat.NI, (LETTERS, NI_FIRST, NI_SECOND, *_number(n)), _ni_code_rule(1)))
        shapes.append(Shape(PlateFormat.NI, (*_number(n), NI_FIRST, NI_SECOND), _ni_code_rule(n)))
    # Dateless marks are at most six characters: AB 1234, 1234 AB, ABC 123, 123 ABC.
    for letters in (1, 2, 3):
        for n in range(1, min(4, 6 - letters) + 1):
            shapes.append(Shape(PlateFormat.DATELESS, (LETTERS,) * letters + _number(n)))
            shapes.append(Shape(PlateFormat.DATELESS, _number(n) + (LETTERS,) * letters))
    return tuple(shapes)


SHAPES: tuple[Shape, ...] = _build_shapes()
FORMAT_ORDER: dict[PlateFormat, int] = {f: i for i, f in enumerate(PlateFormat)}


def shapes_of_length(n: int) -> Iterator[Shape]:
    return (s for s in SHAPES if len(s.slots) == n)
