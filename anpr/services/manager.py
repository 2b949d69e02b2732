"""`anpr services up|down|status`: start, stop and inspect the local services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anpr.mqtt_url import parse_mqtt_url
from anpr.services import broker, postgres
from anpr.services.state import ServicesState, load, pid_alive, save
from anpr.settings import CoreSettings


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    kind: str
    url: str
    running: bool
    detail: str


def up(settings: CoreSettings, prefer_broker: str = "auto") -> ServicesState:
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    state = load(data_dir)
    current = {s.name: s for s in status(settings)}
    if not (current.get("postgres") and current["postgres"].running):
        state.services["postgres"] = postgres.start(data_dir)
        save(data_dir, state)
    if not (current.get("mqtt") and current["mqtt"].running):
        state.services["mqtt"] = broker.start(data_dir, settings.services_mqtt_port, prefer_broker)
        save(data_dir, state)
    return state


def down(settings: CoreSettings) -> list[str]:
    state = load(settings.data_dir)
    stopped = []
    if rec := state.services.pop("mqtt", None):
        broker.stop(rec)
        stopped.append(f"mqtt ({rec.kind})")
    if rec := state.services.pop("postgres", None):
        postgres.stop(rec)
        stopped.append(f"postgres ({rec.kind})")
    save(settings.data_dir, state)
    return stopped


def status(settings: CoreSettings) -> list[ServiceStatus]:
    out = []
    for rec in load(settings.data_dir).services.values():
        if rec.name == "postgres":
            running, detail = _pg_running(rec.url, Path(rec.data_dir))
        else:
            target = parse_mqtt_url(rec.url)
            running = pid_alive(rec.pid) and broker.port_open(target.host, target.port)
            detail = f"pid {rec.pid}" if running else "not running"
        out.append(ServiceStatus(rec.name, rec.kind, rec.url, running, detail))
    return out


def _pg_running(url: str, pgdata: Path) -> tuple[bool, str]:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return False, "not running"
    pid = int(pidfile.read_text().splitlines()[0])
    if not pid_alive(pid):
        return False, "stale postmaster.pid"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        return True, f"pid {pid}, PostgreSQL {version[0] if version else '?'}"
    except Exception as exc:  # the reason is shown to the user as is
        return False, f"pid {pid} but no connection: {exc}"
