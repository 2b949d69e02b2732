"""Where the database and the broker are: the environment first, then `anpr services`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from anpr.security.mqtt_accounts import TOOL_ACCOUNT
from anpr.services.state import load
from anpr.settings import CoreSettings

if TYPE_CHECKING:
    from anpr.mqtt_client import TlsFiles


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


def mqtt_url(settings: CoreSettings | None = None, account: str = TOOL_ACCOUNT) -> str:
    """ANPR_MQTT_URL as given, else the local broker logged in as `account`."""
    settings = settings or CoreSettings()
    if settings.mqtt_url:
        return settings.mqtt_url
    rec = load(settings.data_dir).services.get("mqtt")
    if rec:
        from anpr.services.broker import account_url

        return account_url(rec, account)
    raise NoServiceError("no MQTT broker: set ANPR_MQTT_URL or run `anpr services up`")


def mqtt_tls(settings: CoreSettings | None = None) -> TlsFiles | None:
    """Client TLS files from ANPR_MQTT_CA_FILE / _CERT_FILE / _KEY_FILE, if any are set."""
    settings = settings or CoreSettings()
    if not (settings.mqtt_ca_file or settings.mqtt_cert_file):
        return None
    from anpr.mqtt_client import TlsFiles

    return TlsFiles(settings.mqtt_ca_file, settings.mqtt_cert_file, settings.mqtt_key_file)
