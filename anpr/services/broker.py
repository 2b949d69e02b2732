"""A local MQTT broker: Mosquitto when installed, else the pure-Python amqtt broker."""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from anpr.protocol.messages import MAX_MESSAGE_BYTES
from anpr.services.state import ServiceRecord, pid_alive


class BrokerError(RuntimeError):
    pass


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )


# What a durable deployment needs (docs/scaling.md, "Broker configuration"). Durability itself
# comes from central's end-to-end acknowledgement; these keep what the broker can hold.
DURABLE_SETTINGS: dict[str, str | int] = {
    # Mosquitto saves its sessions and queues only every autosave_interval seconds (default
    # 1,800) and on a clean stop: a `kill -9` loses what came since the last save.
    "autosave_interval": 5,
    # ≥ 10 minutes of a worker's peak queued for it across its restart: the force's 30 reads/s
    # need 18,000; a national worker's ~1,450 reads/s need 870,000.
    "max_queued_messages": 1_000_000,
    "max_inflight_messages": 1000,
    # The protocol's own limit: anything larger would be acknowledged and silently dropped, so
    # agents never send it (edge.read_fit) and the broker refuses nothing the protocol allows.
    "message_size_limit": MAX_MESSAGE_BYTES,
}


def _mosquitto_conf(broker_dir: Path, port: int, pki_dir: Path | None, tls_port: int | None) -> str:
    # Started as root, Mosquitto would become user `mosquitto` and lose access to our 0600 files:
    # it runs as whoever started it, as every other local service does.
    common = f"user {getpass.getuser()}\npersistence true\npersistence_location {broker_dir}/\n" + "".join(
        f"{k} {v}\n" for k, v in DURABLE_SETTINGS.items()
    )
    if pki_dir is None:
        return f"listener {port} 127.0.0.1\nallow_anonymous true\n" + common
    # One set of accounts and ACLs for both listeners: passwords on loopback, certificates on TLS.
    return (
        "per_listener_settings false\n"
        "allow_anonymous false\n"
        f"password_file {broker_dir}/passwd\n"
        f"acl_file {broker_dir}/acl\n" + common + f"listener {port} 127.0.0.1\n"
        f"listener {tls_port} 127.0.0.1\n"
        f"cafile {pki_dir}/ca.crt\n"
        f"certfile {pki_dir}/broker.crt\n"
        f"keyfile {pki_dir}/broker.key\n"
        "require_certificate true\n"
        "use_identity_as_username true\n"
        "tls_version tlsv1.2\n"
    )


def ensure_pki(pki_dir: Path) -> None:
    """The CA, the broker's certificate and the central accounts, made once."""
    from anpr.security import mqtt_accounts, pki

    if not (pki_dir / "broker.crt").exists():
        pki.init_ca(pki_dir)
    mqtt_accounts.ensure_central_accounts(pki_dir)


def reload(record: ServiceRecord) -> None:
    """Re-render passwords and ACLs from the accounts and tell Mosquitto to reread them."""
    from anpr.security import mqtt_accounts

    if record.kind != "mosquitto" or not record.pki_dir:
        return
    mqtt_accounts.render(Path(record.pki_dir), Path(record.data_dir))
    if pid_alive(record.pid):
        assert record.pid is not None
        import os

        os.kill(record.pid, signal.SIGHUP)


def account_url(record: ServiceRecord, account: str) -> str:
    """The broker's loopback URL logged in as `account` (as is where the broker has no accounts)."""
    from anpr.security import mqtt_accounts

    if not record.pki_dir:
        return record.url
    target_port = int(record.url.rsplit(":", 1)[1])
    return mqtt_accounts.url_for(Path(record.pki_dir), account, "127.0.0.1", target_port)


def start(data_dir: Path, port: int, prefer: str = "auto", secure: bool = True) -> ServiceRecord:
    """Start a broker on loopback `port`. With Mosquitto and `secure`, anonymous clients are
    refused, every account has its ACL, and a TLS listener on `port + 1` takes client
    certificates from the project CA (`data_dir/pki`)."""
    if port_open("127.0.0.1", port):
        raise BrokerError(f"port {port} is already in use; set ANPR_SERVICES_MQTT_PORT to another")
    broker_dir = data_dir / "broker"
    broker_dir.mkdir(parents=True, exist_ok=True)
    log = (broker_dir / "broker.log").open("ab")
    mosquitto = mosquitto_binary()
    pki_dir: Path | None = None
    tls_port: int | None = None
    if prefer in ("auto", "mosquitto") and mosquitto:
        if secure:
            from anpr.security import mqtt_accounts

            pki_dir, tls_port = data_dir / "pki", port + 1
            if port_open("127.0.0.1", tls_port):
                raise BrokerError(f"port {tls_port} (TLS, port + 1) is already in use")
            ensure_pki(pki_dir)
            mqtt_accounts.render(pki_dir, broker_dir)
        conf = broker_dir / "mosquitto.conf"
        conf.write_text(_mosquitto_conf(broker_dir, port, pki_dir, tls_port))
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
                tls_port=tls_port,
                pki_dir=str(pki_dir) if pki_dir else None,
            )
        time.sleep(0.1)
    proc.kill()
    raise BrokerError(f"{kind} did not listen on port {port} within 15 s")


def kill(record: ServiceRecord) -> None:
    """`kill -9`: the broker dies with whatever it has not saved (what fault tests need)."""
    if pid_alive(record.pid):
        assert record.pid is not None
        import os

        os.kill(record.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid_alive(record.pid) and time.monotonic() < deadline:
            time.sleep(0.05)


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
