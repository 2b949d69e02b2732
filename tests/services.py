"""Real PostgreSQL and MQTT for tests: the system's where present, else embedded ones."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from pathlib import Path


def _pg_ok(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


def _try_start_system_postgres() -> None:
    for cmd in (["service", "postgresql", "start"], ["pg_ctlcluster", "--help"]):
        if shutil.which(cmd[0]):
            with contextlib.suppress(Exception):
                subprocess.run(cmd, check=False, capture_output=True, timeout=60)
                return


def system_postgres_admin_url() -> str | None:
    """The system PostgreSQL, started if installed but stopped; None if there is none."""
    candidates = (
        [os.environ.get("ANPR_TEST_DATABASE_URL")] if os.environ.get("ANPR_TEST_DATABASE_URL") else []
    )
    candidates += [
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "postgresql:///postgres?host=/var/run/postgresql&user=postgres",
    ]
    for url in candidates:
        if _pg_ok(url):
            return url
    if Path("/usr/lib/postgresql").exists():
        _try_start_system_postgres()
        for url in candidates:
            if _pg_ok(url):
                return url
    return None


def embedded_postgres_admin_url(data_dir: Path) -> str:
    from anpr.services import postgres

    rec = postgres.start(data_dir)
    return rec.url


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A free loopback port whose successor is free too (a broker's TLS listener takes port + 1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65535 and not port_open(port + 1):
            return port
    raise RuntimeError("no free pair of ports")


def mqtt_connect(url: str, client_id: str = "", **kw: object):  # type: ignore[no-untyped-def]
    """A connected, looping paho client for `url` (credentials and TLS as the URL says)."""
    from anpr.mqtt_client import new_client

    client, target = new_client(url, client_id, **kw)  # type: ignore[arg-type]
    client.connect(target.host, target.port)
    client.loop_start()
    return client


def system_mqtt_url() -> str | None:
    if os.environ.get("ANPR_TEST_MQTT_URL"):
        return os.environ["ANPR_TEST_MQTT_URL"]
    if port_open(1883):
        return "mqtt://127.0.0.1:1883"
    if shutil.which("service") and (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        subprocess.run(["service", "mosquitto", "start"], check=False, capture_output=True, timeout=30)
        import time

        for _ in range(30):
            if port_open(1883):
                return "mqtt://127.0.0.1:1883"
            time.sleep(0.1)
    return None


class PrivateBroker:
    """A Mosquitto of the test's own, with accounts, ACLs and TLS, that it may stop and start
    (the system one must not be touched). `agents` maps agent accounts to their sites."""

    def __init__(self, directory: Path, agents: dict[str, str] | None = None) -> None:
        from anpr.services import broker

        self.mod = broker
        self.dir = directory
        self.port = free_port()
        self.agents = agents or {}
        self.rec = None
        self.tool_url = ""
        self.ingest_url = ""

    @property
    def url(self) -> str:
        """The first agent's URL (most tests have one agent)."""
        return self.agent_url(next(iter(self.agents)))

    def agent_url(self, agent_id: str) -> str:
        return self.mod.account_url(self.rec, agent_id)

    def start(self) -> None:
        from anpr.security.mqtt_accounts import INGEST_ACCOUNT, TOOL_ACCOUNT, Account, Role, add

        # Accounts first: the broker reads them as it starts (a SIGHUP reload would race the test).
        self.mod.ensure_pki(self.dir / "pki")
        for agent_id, site in self.agents.items():
            add(self.dir / "pki", Account(name=agent_id, role=Role.AGENT, site_id=site))
        self.rec = self.mod.start(self.dir, self.port, "mosquitto")
        self.tool_url = self.mod.account_url(self.rec, TOOL_ACCOUNT)
        self.ingest_url = self.mod.account_url(self.rec, INGEST_ACCOUNT)

    def stop(self) -> None:
        if self.rec:
            self.mod.stop(self.rec)
            self.rec = None

    def kill(self) -> None:
        """`kill -9` the broker: no clean stop, no final save of its sessions and queues."""
        if self.rec:
            self.mod.kill(self.rec)
            self.rec = None
