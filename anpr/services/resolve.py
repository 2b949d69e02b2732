"""Where the database and the broker are: the environment first, then `anpr services`."""

from __future__ import annotations

from anpr.services.state import load
from anpr.settings import CoreSettings


class NoServiceError(RuntimeError):
    pass


def database_url(settings: CoreSettings | None = None) -> str:
    settings = settings or CoreSettings()
    if settings.database_url:
        return settings.database_url
    rec = load(settings.data_dir).services.get("postgres")
    if rec:
        return rec.url
    raise NoServiceError("no database: set ANPR_DATABASE_URL or run `anpr services up`")


def mqtt_url(settings: CoreSettings | None = None) -> str:
    settings = settings or CoreSettings()
    if settings.mqtt_url:
        return settings.mqtt_url
    rec = load(settings.data_dir).services.get("mqtt")
    if rec:
        return rec.url
    raise NoServiceError("no MQTT broker: set ANPR_MQTT_URL or run `anpr services up`")
