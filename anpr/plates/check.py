"""Classify a read against the UK formats and offer corrected candidates.

The raw read is never replaced: corrections are *candidates* ranked by a
penalty (the sum of the substitution costs in `confusables`).
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field

from anpr.plates.confusables import substitutions
from anpr.plates.formats import (
    FORMAT_ORDER,
    LETTERS,
    PlateFormat,
    Shape,
    issued_ages,
    normalise,
    shapes_of_length,
)

MAX_PENALTY = 4
MAX_CANDIDATES = 8
_ALLOWED = re.compile(r"^[A-Z0-9]*$")


class Candidate(BaseModel):
    vrm: str
    format: PlateFormat
    penalty: int = Field(ge=0)


class VrmCheck(BaseModel):
    input: str
    vrm: str
    format: PlateFormat
    valid: bool
    issues: list[str]
    candidates: list[Candidate]


def check_vrm(text: str, *, today: date | None = None) -> VrmCheck:
    """Normalise `text`, classify it and rank valid marks it may really be."""
    today = today or date.today()
    vrm = normalise(text)
    issues: list[str] = []
    fmt = PlateFormat.OTHER
    valid = False

    if not vrm:
        issues.append("empty")
    elif not _ALLOWED.match(vrm):
        issues.append("unexpected_characters")
    else:
        fits = [s for s in shapes_of_length(len(vrm)) if s.fits(vrm)]
        clean = [s for s in fits if not s.rule_issues(vrm, today)]
        if clean:
            fmt, valid = clean[0].format, True
        elif fits:
            fmt = fits[0].format
            issues.extend(fits[0].rule_issues(vrm, today))
        else:
            issues.append("no_uk_format")
            issues.extend(_near_misses(vrm))
        if valid and _suspected_partial(vrm, today):
            issues.append("suspected_partial")

    # A valid read stands on its own; only an invalid one is worth second-guessing.
    if valid:
        candidates = [Candidate(vrm=vrm, format=fmt, penalty=0)]
    elif vrm and _ALLOWED.match(vrm):
        candidates = _candidates(vrm, today)
    else:
        candidates = []
    return VrmCheck(input=text, vrm=vrm, format=fmt, valid=valid, issues=issues, candidates=candidates)


def _near_misses(vrm: str) -> list[str]:
    """Explain a mark that fits a format's shape in all but one position."""
    notes: list[str] = []
    for shape in shapes_of_length(len(vrm)):
        bad = [i for i, (c, s) in enumerate(zip(vrm, shape.slots, strict=True)) if c not in s]
        if len(bad) == 1:
            i = bad[0]
            note = f"{shape.format.value}_shape_but_position_{i + 1}_cannot_be_{vrm[i]}"
            if note not in notes:
                notes.append(note)
    return notes


def _suspected_partial(vrm: str, today: date) -> bool:
    """A 4-character read that is the front or back half of a current-format plate."""
    if len(vrm) != 4:
        return False
    issued, _ = issued_ages(today)
    front = vrm[0] in LETTERS and vrm[1] in LETTERS and vrm[2:].isdigit() and int(vrm[2:]) in issued
    back = vrm[0].isdigit() and vrm[1:].isalpha()
    return front or back


def _candidates(vrm: str, today: date) -> list[Candidate]:
    best: dict[str, Candidate] = {}
    for shape in shapes_of_length(len(vrm)):
        for text, penalty in _corrections(vrm, shape):
            if shape.rule_issues(text, today):
                continue
            known = best.get(text)
            if known is None or penalty < known.penalty:
                best[text] = Candidate(vrm=text, format=shape.format, penalty=penalty)
    ranked = sorted(best.values(), key=lambda c: (c.penalty, FORMAT_ORDER[c.format], c.vrm))
    return ranked[:MAX_CANDIDATES]


def _corrections(vrm: str, shape: Shape) -> list[tuple[str, int]]:
    """Every way to make `vrm` fit `shape` by substituting confusable characters."""
    options: list[list[tuple[str, int]]] = []
    for c, allowed in zip(vrm, shape.slots, strict=True):
        if c in allowed:
            options.append([(c, 0)])
            continue
        subs = [(o, p) for o, p in substitutions(c) if o in allowed]
        if not subs:
            return []
        options.append(subs)

    out: list[tuple[str, int]] = []

    def walk(i: int, prefix: str, penalty: int) -> None:
        if penalty > MAX_PENALTY:
            return
        if i == len(options):
            out.append((prefix, penalty))
            return
        for ch, p in options[i]:
            walk(i + 1, prefix + ch, penalty + p)

    walk(0, "", 0)
    return out
