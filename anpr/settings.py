"""Typed settings shared by every component, read once at the edge of the program."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".local" / "state" / "anpr"


class CoreSettings(BaseSettings):
    """`ANPR_DATABASE_URL` / `ANPR_MQTT_URL` point at real servers; unset means `anpr services`."""

    model_config = SettingsConfigDict(env_prefix="ANPR_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    mqtt_url: str | None = None
    services_mqtt_port: int = Field(default=18830, ge=1, le=65535)
    # TLS towards the broker for central workers: the project CA and this worker's certificate.
    mqtt_ca_file: Path | None = None
    mqtt_cert_file: Path | None = None
    mqtt_key_file: Path | None = None

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"
