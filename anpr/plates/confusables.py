"""Characters an OCR engine (or a person) confuses on UK plates.

The classes come from the domain notes: the usual set first, then the wider
set used by lenient hotlist matching. Hotlist matching and OCR candidate
correction both use these tables so that the two never disagree.
"""

from __future__ import annotations

from functools import cache

# Usual OCR-equivalence classes.
PRIMARY_CLASSES: tuple[frozenset[str], ...] = (
    frozenset("0ODQ"),
    frozenset("1I"),
    frozenset("2Z"),
    frozenset("5S"),
    frozenset("8B"),
    frozenset("6G"),
)

# Wider classes seen in the field.
WIDE_CLASSES: tuple[frozenset[str], ...] = (
    frozenset("38B"),
    frozenset("EFP"),
    frozenset("HKMR"),
    frozenset("TYV"),
)

# The position-aware corrections the domain notes name for the current format:
# a digit read in a letter slot, or a letter read in a digit slot. These are the
# most likely fix and cost the least.
DIGIT_TO_LETTER: dict[str, str] = {"0": "O", "5": "S", "6": "G", "8": "B", "2": "Z", "1": "I"}
LETTER_TO_DIGIT: dict[str, str] = {
    "O": "0",
    "D": "0",
    "Q": "0",
    "I": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
}

PENALTY_POSITIONAL = 1
PENALTY_PRIMARY = 2
PENALTY_WIDE = 3


@cache
def substitutions(char: str) -> tuple[tuple[str, int], ...]:
    """Every character `char` may really be, with the penalty for assuming so (cheapest first)."""
    found: dict[str, int] = {}

    def offer(other: str, penalty: int) -> None:
        if other != char and penalty < found.get(other, 99):
            found[other] = penalty

    if char in DIGIT_TO_LETTER:
        offer(DIGIT_TO_LETTER[char], PENALTY_POSITIONAL)
    if char in LETTER_TO_DIGIT:
        offer(LETTER_TO_DIGIT[char], PENALTY_POSITIONAL)
    for cls in PRIMARY_CLASSES:
        if char in cls:
            for other in cls:
                offer(other, PENALTY_PRIMARY)
    for cls in WIDE_CLASSES:
        if char in cls:
            for other in cls:
                offer(other, PENALTY_WIDE)
    return tuple(sorted(found.items(), key=lambda kv: (kv[1], kv[0])))


@cache
def equivalent(a: str, b: str, *, wide: bool = False) -> bool:
    """True when `a` and `b` are the same character or in one confusable class."""
    if a == b:
        return True
    classes = PRIMARY_CLASSES + (WIDE_CLASSES if wide else ())
    return any(a in cls and b in cls for cls in classes)
