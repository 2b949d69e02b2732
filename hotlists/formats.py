"""Hotlist file formats.

CSV (header row required; only `vrm` is mandatory):
    vrm,make,model,colour,action,warning_markers,reason,grading,information,force_area,weed_date,source_ref
`warning_markers` is `;`-separated; `weed_date` is YYYY-MM-DD (the entry stops matching after it).

VOI JSON Lines (`.jsonl`): the first line is a header
    {"format": "anpr-voi/1", "list": "PNC", "generated_at": "2026-11-22T06:00:00Z"}
and every further line one entry with the same field names as the CSV
(`warning_markers` as a JSON array).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from anpr.config_errors import describe
from anpr.plates import normalise

FIELDS = (
    "vrm",
    "make",
    "model",
    "colour",
    "action",
    "warning_markers",
    "reason",
    "grading",
    "information",
    "force_area",
    "weed_date",
    "source_ref",
)


class HotlistEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    vrm: str = Field(min_length=1, max_length=16)
    make: str = ""
    model: str = ""
    colour: str = ""
    action: str = Field("", max_length=500)
    warning_markers: list[str] = Field(default_factory=list)
    reason: str = Field("", max_length=500)
    grading: str = ""
    information: str = Field("", max_length=2000)
    force_area: str = ""
    weed_date: date | None = None
    source_ref: str = ""

    @field_validator("vrm")
    @classmethod
    def _vrm(cls, v: str) -> str:
        n = normalise(v)
        if not n.isalnum() or not n.isascii():
            raise ValueError("a VRM has only letters and digits (spaces and hyphens are dropped)")
        return n

    @field_validator("warning_markers", mode="before")
    @classmethod
    def _markers(cls, v: object) -> object:
        if isinstance(v, str):
            return [m.strip() for m in v.split(";") if m.strip()]
        return v

    @field_validator("weed_date", mode="before")
    @classmethod
    def _empty_date(cls, v: object) -> object:
        return None if v in ("", None) else v


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class Parsed:
    entries: list[HotlistEntry]
    rejected: list[Rejected]
    list_name: str | None = None


def parse_file(path: Path) -> Parsed:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return parse_voi(text)
    return parse_csv(text)


def _validate(rows: Iterator[tuple[int, dict]]) -> Parsed:
    out = Parsed([], [])
    for line, row in rows:
        try:
            out.entries.append(HotlistEntry.model_validate(row))
        except ValidationError as exc:
            out.rejected.append(Rejected(line, describe(exc).replace("\n", "; ")))
    return out


def parse_csv(text: str) -> Parsed:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "vrm" not in [f.strip().lower() for f in reader.fieldnames]:
        return Parsed([], [Rejected(1, "header row must name a 'vrm' column")])
    unknown = [f for f in reader.fieldnames if f.strip().lower() not in FIELDS]
    if unknown:
        return Parsed([], [Rejected(1, f"unknown columns {unknown}; known: {', '.join(FIELDS)}")])

    def rows() -> Iterator[tuple[int, dict]]:
        for i, row in enumerate(reader, start=2):
            yield i, {k.strip().lower(): (v or "") for k, v in row.items() if k}

    return _validate(rows())


def parse_voi(text: str) -> Parsed:
    lines = text.splitlines()
    if not lines:
        return Parsed([], [Rejected(1, "empty file")])
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError as exc:
        return Parsed([], [Rejected(1, f"header is not JSON: {exc}")])
    if not isinstance(header, dict) or header.get("format") != "anpr-voi/1":
        return Parsed([], [Rejected(1, 'header must be {"format": "anpr-voi/1", ...}')])

    bad: list[Rejected] = []

    def rows() -> Iterator[tuple[int, dict]]:
        for i, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append(Rejected(i, f"not JSON: {exc}"))
                continue
            yield i, obj if isinstance(obj, dict) else {"vrm": None}

    parsed = _validate(rows())
    parsed.rejected = sorted(parsed.rejected + bad, key=lambda r: r.line)
    parsed.list_name = header.get("list")
    return parsed
