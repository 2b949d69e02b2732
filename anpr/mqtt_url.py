"""One reading of an MQTT URL for every component: mqtt://user:pass@host:1883, mqtts://host:8883."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

SCHEMES = {"mqtt": False, "tcp": False, "mqtts": True, "ssl": True}


@dataclass(frozen=True)
class MqttTarget:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(url: str) -> MqttTarget:
    u = urlparse(url)
    if u.scheme not in SCHEMES or not u.hostname:
        raise ValueError("expected mqtt://host:port or mqtts://host:port")
    tls = SCHEMES[u.scheme]
    return MqttTarget(
        u.hostname,
        u.port or (8883 if tls else 1883),
        tls,
        unquote(u.username) if u.username else None,
        unquote(u.password) if u.password else None,
    )


def redact(url: str) -> str:
    """The URL with its password replaced, for logs and error messages."""
    u = urlparse(url)
    if not u.password:
        return url
    netloc = u.netloc.replace(f":{u.password}@", ":***@", 1)
    return u._replace(netloc=netloc).geturl()
