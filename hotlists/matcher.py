"""The match index: exact on the normalised VRM, lenient over OCR-equivalent characters.

Lenient: the read and the listed VRM have the same length and differ only at
positions whose characters are in one confusable class, at most N of them.
Each VRM is indexed under a canonical key (every character replaced by its
class representative), so a lenient lookup is one dict access plus a check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from anpr.plates.confusables import PRIMARY_CLASSES, WIDE_CLASSES, equivalent


def _class_map(classes: Iterable[frozenset[str]]) -> dict[str, str]:
    """Union-find over the classes → each character's representative."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for cls in classes:
        first, *rest = sorted(cls)
        for c in rest:
            parent[find(c)] = find(first)
    return {c: find(c) for c in parent}


# str.translate tables: a million-entry list is canonicalised when the index is built.
_PRIMARY = str.maketrans(_class_map(PRIMARY_CLASSES))
_WIDE = str.maketrans(_class_map(PRIMARY_CLASSES + WIDE_CLASSES))


def canonical(vrm: str, wide: bool = False) -> str:
    return vrm.translate(_WIDE if wide else _PRIMARY)


@dataclass(frozen=True)
class ListRule:
    list_id: int
    name: str
    revision: int
    priority: int
    lenient: bool
    max_substitutions: int
    wide: bool


@dataclass(frozen=True)
class IndexedEntry:
    entry_id: int
    list_id: int
    vrm: str
    weed_date: date | None


@dataclass(frozen=True)
class Match:
    entry: IndexedEntry
    rule: ListRule
    vrm_read: str
    match_type: str  # exact | fuzzy
    differing_positions: tuple[int, ...]


class MatchIndex:
    def __init__(self, rules: dict[int, ListRule]) -> None:
        self.rules = rules
        self.exact: dict[str, list[IndexedEntry]] = defaultdict(list)
        self.canon: dict[str, list[IndexedEntry]] = defaultdict(list)
        self.canon_wide: dict[str, list[IndexedEntry]] = defaultdict(list)
        self.size = 0

    def add(self, e: IndexedEntry) -> None:
        rule = self.rules[e.list_id]
        self.exact[e.vrm].append(e)
        if rule.lenient:
            (self.canon_wide if rule.wide else self.canon)[canonical(e.vrm, rule.wide)].append(e)
        self.size += 1

    def match(self, vrms: Iterable[str], today: date) -> list[Match]:
        """Matches for a read: its VRM first, then its candidates; one per entry, best kind kept."""
        found: dict[int, Match] = {}
        for i, vrm in enumerate(vrms):
            for e in self.exact.get(vrm, ()):
                if _live(e, today):
                    kind = "exact" if i == 0 else "fuzzy"  # a candidate's exact hit is still a "possible"
                    m = Match(e, self.rules[e.list_id], vrm, kind, ())
                    if e.entry_id not in found or (
                        kind == "exact" and found[e.entry_id].match_type != "exact"
                    ):
                        found[e.entry_id] = m
            for table, wide in ((self.canon, False), (self.canon_wide, True)):
                for e in table.get(canonical(vrm, wide), ()):
                    if e.entry_id in found or not _live(e, today) or e.vrm == vrm:
                        continue
                    rule = self.rules[e.list_id]
                    diff = tuple(k for k, (a, b) in enumerate(zip(vrm, e.vrm, strict=True)) if a != b)
                    if len(diff) <= rule.max_substitutions and all(
                        equivalent(vrm[k], e.vrm[k], wide=wide) for k in diff
                    ):
                        found[e.entry_id] = Match(e, rule, vrm, "fuzzy", diff)
        return sorted(found.values(), key=lambda m: (m.match_type != "exact", m.rule.priority))


def _live(e: IndexedEntry, today: date) -> bool:
    return e.weed_date is None or e.weed_date >= today
