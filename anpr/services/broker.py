"""A local MQTT broker: Mosquitto when installed, else the pure-Python amqtt broker."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from anpr.services.state import ServiceRecord, pid_alive


class BrokerError(RuntimeError):
    pass


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def start(data_dir: Path, port: int, prefer: str = "auto") -> ServiceRecord:
    if port_open("127.0.0.1", port):
        raise BrokerError(f"port {port} is already in use; set ANPR_SERVICES_MQTT_PORT to another")
    broker_dir = data_dir / "broker"
    broker_dir.mkdir(parents=True, exist_ok=True)
    log = (broker_dir / "broker.log").open("ab")
    mosquitto = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if prefer in ("auto", "mosquitto") and mosquitto:
        conf = broker_dir / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {broker_dir}/\n"
            "max_queued_messages 1000000\n"
            "max_inflight_messages 100\n"
            "message_size_limit 1048576\n"
        )
        cmd = [mosquitto, "-c", str(conf)]
        kind = "mosquitto"
    elif prefer == "mosquitto":
        raise BrokerError("mosquitto is not installed")
    else:
        cmd = [sys.executable, "-m", "anpr.services.amqtt_main", str(port)]
        kind = "amqtt"
    # A new session: the broker outlives this command and a Ctrl-C in the shell.
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BrokerError(f"{kind} exited with {proc.returncode}; see {broker_dir}/broker.log")
        if port_open("127.0.0.1", port):
            return ServiceRecord(
                name="mqtt",
                kind=kind,
                url=f"mqtt://127.0.0.1:{port}",
                pid=proc.pid,
                data_dir=str(broker_dir),
            )
        time.sleep(0.1)
    proc.kill()
    raise BrokerError(f"{kind} did not listen on port {port} within 15 s")


def stop(record: ServiceRecord, timeout: float = 10) -> None:
    if not pid_alive(record.pid):
        return
    assert record.pid is not None
    import os

    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(record.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(record.pid):
        os.kill(record.pid, signal.SIGKILL)
