"""One way to make a paho MQTT client from a URL: credentials from the URL, TLS with the
project CA and a client certificate where given. Used by the edge agent, ingest, the demo
and the tests, so a broker with accounts and TLS is reached the same way everywhere."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from anpr.mqtt_url import MqttTarget, parse_mqtt_url


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


def new_client(
    url: str,
    client_id: str = "",
    *,
    clean_session: bool = True,
    manual_ack: bool = False,
    tls: TlsFiles | None = None,
    username: str | None = None,
    password: str | None = None,
) -> tuple[mqtt.Client, MqttTarget]:
    """A client configured for `url` (not yet connected) and where it should connect."""
    target = parse_mqtt_url(url)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv311,
        clean_session=clean_session,
        manual_ack=manual_ack,
    )
    user = username or target.username
    if user:
        client.username_pw_set(user, password or target.password)
    if target.tls or tls is not None:
        tls = tls or TlsFiles()
        client.tls_set(
            ca_certs=str(tls.ca_file) if tls.ca_file else None,
            certfile=str(tls.cert_file) if tls.cert_file else None,
            keyfile=str(tls.key_file) if tls.key_file else None,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
    return client, target
