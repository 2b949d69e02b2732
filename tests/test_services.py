"""`anpr services up|status|down` on the embedded path, twice in a row, plus the amqtt broker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.services import free_port, mqtt_connect


def anpr(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ANPR_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "anpr.cli.main", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.mark.parametrize("broker", ["auto", "amqtt"])
def test_services_up_status_down_twice(tmp_path: Path, broker: str) -> None:
    port = str(free_port())
    for _ in range(2):
        up = anpr(["services", "up", "--broker", broker], tmp_path, ANPR_SERVICES_MQTT_PORT=port)
        assert up.returncode == 0, up.stderr
        status = anpr(["services", "status"], tmp_path)
        assert status.returncode == 0, status.stdout + status.stderr
        assert "postgres: running" in status.stdout and "mqtt: running" in status.stdout
        _roundtrip_db(tmp_path)
        _roundtrip_mqtt(tmp_path)
        down = anpr(["services", "down"], tmp_path)
        assert down.returncode == 0 and "postgres" in down.stdout
        after = anpr(["services", "status"], tmp_path)
        assert after.returncode == 1


def _roundtrip_db(data_dir: Path) -> None:
    import psycopg

    from anpr.services.resolve import database_url
    from anpr.settings import CoreSettings

    url = database_url(CoreSettings(data_dir=data_dir, database_url=None))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 41 + 1").fetchone() == (42,)


def _roundtrip_mqtt(data_dir: Path) -> None:
    """QoS 1 publish and receive over MQTT 3.1.1, which the amqtt fallback also speaks, logged in
    as the tool account where the broker has accounts."""
    from anpr.services.resolve import mqtt_url
    from anpr.settings import CoreSettings

    url = mqtt_url(CoreSettings(data_dir=data_dir, mqtt_url=None))
    got = threading.Event()
    received: list[bytes] = []

    def on_message(client, userdata, msg) -> None:  # type: ignore[no-untyped-def]
        received.append(msg.payload)
        got.set()

    subscribed = threading.Event()
    sub = mqtt_connect(url)
    sub.on_message = on_message
    sub.on_subscribe = lambda *a: subscribed.set()
    sub.subscribe("anpr/v1/test/+/read", qos=1)
    assert subscribed.wait(5)
    pub = mqtt_connect(url)
    pub.publish("anpr/v1/test/C1/read", b"hello", qos=1).wait_for_publish(5)
    assert got.wait(5) and received == [b"hello"]
    for c in (pub, sub):
        c.loop_stop()
        c.disconnect()
