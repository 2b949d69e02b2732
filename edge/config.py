"""The agent's YAML configuration, validated once at start; errors name the field."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from anpr.config_errors import describe
from anpr.mqtt_url import parse_mqtt_url
from anpr.protocol.topics import ID_PATTERN


class ConfigError(ValueError):
    pass


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TlsConfig(Strict):
    ca_file: Path
    cert_file: Path | None = None
    key_file: Path | None = None


class BrokerConfig(Strict):
    url: str = Field(description="mqtt://host:1883 or mqtts://host:8883")
    username: str | None = None
    password: str | None = None
    tls: TlsConfig | None = None
    keepalive_s: int = Field(30, ge=5, le=600)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        parse_mqtt_url(v)
        return v


class OutboxConfig(Strict):
    path: Path = Path("outbox.sqlite")
    quota_mb: float = Field(512, gt=0, description="disk quota; oldest reads are evicted beyond it")
    confirm_timeout_s: float = Field(
        30, gt=0, le=3600, description="publish a read again if central has not confirmed it this long after"
    )
    confirm_backoff_max_s: float = Field(
        600, gt=0, le=86400, description="the wait before publishing again doubles at each try up to this"
    )


class TrackingConfig(Strict):
    """Defaults from the domain notes (vendor practice)."""

    group_gap_s: float = Field(4.5, gt=0, description="a plate unseen this long has left")
    max_delay_s: float = Field(7.5, gt=0, description="emit at most this long after first sight")
    remember_s: float = Field(300, ge=0, description="do not re-read the same plate within this")
    min_frames: int = Field(2, ge=1, description="sightings needed before a track is a read")
    iou_match: float = Field(0.1, ge=0, le=1)


class CameraConfig(Strict):
    camera_id: str = Field(pattern=ID_PATTERN)
    source: str = Field(description="rtsp://..., a video file, /dev/videoN, or a folder of images")
    lane: int | None = Field(None, ge=0, le=16)
    direction: Literal["approaching", "receding", "both"] = "both"
    roi: list[tuple[float, float]] | None = Field(
        None, description="region of interest polygon in frame pixels; None = whole frame"
    )
    expected_fps: float = Field(25, gt=0, le=120)
    loop: bool = Field(False, description="replay a file source forever (demo, soak tests)")
    realtime: bool = Field(True, description="pace file sources at expected_fps")

    @field_validator("roi")
    @classmethod
    def _roi(cls, v: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if v is not None and len(v) < 3:
            raise ValueError("a region of interest needs at least 3 points")
        return v


class AgentConfig(Strict):
    site_id: str = Field(pattern=ID_PATTERN)
    agent_id: str = Field(pattern=ID_PATTERN)
    broker: BrokerConfig
    outbox: OutboxConfig = OutboxConfig()
    profile: str = "x86-generic"
    heartbeat_interval_s: float = Field(30, ge=1, le=600)
    metrics_port: int | None = Field(None, ge=0, le=65535)
    tracking: TrackingConfig = TrackingConfig()
    cameras: list[CameraConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_cameras(self) -> AgentConfig:
        ids = [c.camera_id for c in self.cameras]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"camera_id values must be unique; repeated: {sorted(dup)}")
        return self


def load_config(path: Path) -> AgentConfig:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        cfg = AgentConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, str(path))) from None
    # Relative paths are relative to the config file, not the working directory.
    if not cfg.outbox.path.is_absolute():
        cfg.outbox.path = (path.parent / cfg.outbox.path).resolve()
    for cam in cfg.cameras:
        if (
            "://" not in cam.source
            and not cam.source.startswith("/dev/")
            and not Path(cam.source).is_absolute()
        ):
            cam.source = str((path.parent / cam.source).resolve())
    return cfg
