"""Settings of the central service (environment ANPR_*), resolved once at start."""

from __future__ import annotations

from anpr.services.resolve import database_url, mqtt_url
from anpr.settings import CoreSettings


def urls() -> tuple[str, str]:
    s = CoreSettings()
    return database_url(s), mqtt_url(s)
