"""The site and camera registry: import from YAML/CSV, and the lookup ingest validates against."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anpr.config_errors import describe
from anpr.protocol.topics import ID_PATTERN
from central.health import AWAITING


class CameraEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    camera_id: str = Field(pattern=ID_PATTERN)
    name: str = ""
    bearing: int | None = Field(None, ge=0, lt=360)
    lanes: int = Field(1, ge=1, le=16)
    direction: str = Field("both", pattern="^(approaching|receding|both)$")
    heartbeat_interval_s: float = Field(30, gt=0)


class SiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site_id: str = Field(pattern=ID_PATTERN)
    name: str
    area: str = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    cameras: list[CameraEntry] = Field(min_length=1)


class RegistryError(ValueError):
    pass


def parse(path: Path) -> list[SiteEntry]:
    if path.suffix.lower() == ".csv":
        sites: dict[str, dict] = {}
        with path.open() as fh:
            for row in csv.DictReader(fh):
                s = sites.setdefault(
                    row["site_id"],
                    {
                        "site_id": row["site_id"],
                        "name": row.get("site_name", row["site_id"]),
                        "area": row.get("area", ""),
                        "lat": row.get("lat") or None,
                        "lon": row.get("lon") or None,
                        "cameras": [],
                    },
                )
                s["cameras"].append(
                    {
                        k: v
                        for k, v in {
                            "camera_id": row["camera_id"],
                            "name": row.get("camera_name", ""),
                            "bearing": row.get("bearing") or None,
                            "lanes": row.get("lanes") or 1,
                            "direction": row.get("direction") or "both",
                        }.items()
                    }
                )
        raw = list(sites.values())
    else:
        data = yaml.safe_load(path.read_text())
        raw = data.get("sites", []) if isinstance(data, dict) else data
    out = []
    for i, item in enumerate(raw or []):
        try:
            out.append(SiteEntry.model_validate(item))
        except ValidationError as exc:
            raise RegistryError(describe(exc, f"{path} sites[{i}]")) from None
    ids = [c.camera_id for s in out for c in s.cameras]
    dup = sorted({c for c in ids if ids.count(c) > 1})
    if dup:
        raise RegistryError(f"{path}: camera ids must be unique; repeated: {dup}")
    return out


def import_sites(conn: psycopg.Connection, sites: list[SiteEntry]) -> tuple[int, int]:
    with conn.transaction():
        for s in sites:
            conn.execute(
                "INSERT INTO sites(site_id, name, area, lat, lon) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (site_id) DO UPDATE SET name = EXCLUDED.name, area = EXCLUDED.area, "
                "lat = EXCLUDED.lat, lon = EXCLUDED.lon",
                (s.site_id, s.name, s.area, s.lat, s.lon),
            )
            for c in s.cameras:
                conn.execute(
                    "INSERT INTO cameras(camera_id, site_id, name, bearing, lanes, direction, heartbeat_interval_s) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (camera_id) DO UPDATE SET "
                    "site_id = EXCLUDED.site_id, name = EXCLUDED.name, bearing = EXCLUDED.bearing, "
                    "lanes = EXCLUDED.lanes, direction = EXCLUDED.direction, "
                    "heartbeat_interval_s = EXCLUDED.heartbeat_interval_s",
                    (c.camera_id, s.site_id, c.name, c.bearing, c.lanes, c.direction, c.heartbeat_interval_s),
                )
                # Down until it reports, but not an outage until it has had the time to report
                # (central.health opens the incident then, dated from now).
                conn.execute(
                    "INSERT INTO camera_state(camera_id, state, reason) VALUES (%s, 'DOWN', %s) "
                    "ON CONFLICT DO NOTHING",
                    (c.camera_id, AWAITING),
                )
    return len(sites), sum(len(s.cameras) for s in sites)


def camera_sites(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT camera_id, site_id FROM cameras").fetchall())
