"""Random registration marks of every UK format, and how each is laid out on a plate."""

from __future__ import annotations

import random
import string
from datetime import date

from anpr.plates import PlateFormat, check_vrm
from anpr.plates.formats import SHAPES

UK_FORMATS = (
    PlateFormat.CURRENT,
    PlateFormat.PREFIX,
    PlateFormat.SUFFIX,
    PlateFormat.Q,
    PlateFormat.DATELESS,
    PlateFormat.NI,
)
# Roughly how often each format is on the road today; current marks dominate.
FORMAT_WEIGHTS = (0.62, 0.1, 0.04, 0.02, 0.1, 0.12)
TODAY = date(2026, 11, 22)


def random_uk_vrm(rng: random.Random, fmt: PlateFormat | None = None) -> tuple[str, PlateFormat]:
    fmt = fmt or rng.choices(UK_FORMATS, FORMAT_WEIGHTS)[0]
    shapes = [s for s in SHAPES if s.format is fmt]
    while True:
        shape = rng.choice(shapes)
        text = "".join(rng.choice(slot) for slot in shape.slots)
        chk = check_vrm(text, today=TODAY)
        # A shape's characters may happen to spell a valid mark of another format: draw again.
        if chk.valid and chk.format is fmt:
            return text, fmt


def random_foreign(rng: random.Random) -> tuple[str, str]:
    """(plate text as printed with separators, style) for an EU- or US-style plate (US 60 %: the
    real photos we evaluate on are American)."""
    if rng.random() < 0.4:
        area = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(1, 3)))
        letters = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(1, 2)))
        digits = str(rng.randint(1, 9999))
        return f"{area}-{letters} {digits}", "eu"
    if rng.random() < 0.5:  # a common state serial pattern (L letter, D digit)
        pattern = rng.choice(["LLLDDDD", "DLLLDDD", "LLDDDDD", "DDDLLL", "LLLDDD", "DDDDLL", "LDDLLL"])
        pool = {"L": string.ascii_uppercase, "D": string.digits}
        return "".join(rng.choice(pool[p]) for p in pattern), "us"
    n = rng.choices([4, 5, 6, 7, 8], [1, 3, 5, 5, 1])[0]  # vanity plates run from 2 to 8
    text = "".join(rng.choices(string.ascii_uppercase + string.digits, k=n))
    return text, "us"


def groups(vrm: str, fmt: PlateFormat) -> list[str]:
    """The groups a mark is displayed in: 'AB51ABC' -> ['AB51', 'ABC']."""
    if fmt is PlateFormat.CURRENT:
        return [vrm[:4], vrm[4:]]
    if fmt is PlateFormat.SUFFIX:
        return [vrm[:3], vrm[3:]]
    if fmt in (PlateFormat.PREFIX, PlateFormat.Q):
        cut = len(vrm) - 3
        return [vrm[:cut], vrm[cut:]]
    # dateless, NI: split where letters meet digits
    for i in range(1, len(vrm)):
        if vrm[i].isdigit() != vrm[i - 1].isdigit():
            return [vrm[:i], vrm[i:]]
    return [vrm]
