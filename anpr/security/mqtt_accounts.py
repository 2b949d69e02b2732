"""MQTT accounts and what each may do, rendered into Mosquitto's password and ACL files.

Every agent, every central worker and every tool has its own account. An agent may publish
only its own site's reads, heartbeats and status (`anpr/v1/{site_id}/+/read|heartbeat|status`)
and read only its own acknowledgements (`anpr/v1/{site_id}/{agent}/ack`); ingest workers read
everything under `anpr/v1/` and publish alerts and acknowledgements; tools (operators'
diagnostics, the demo's replay fleet, tests) read and write under `anpr/`. Anything not granted
is denied: no agent can forge another's acknowledgement.

Accounts live beside the certificates (`accounts.json` in the PKI directory). Over TLS the
broker takes the certificate's common name as the user name; on the loopback listener the
account's password (a random secret in `NAME.password`, mode 0600) is the credential.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import BaseModel, Field, model_validator

from anpr.protocol.topics import ID_PATTERN, ROOT

if TYPE_CHECKING:
    from anpr.security.pki import Identity

ACCOUNTS_FILE = "accounts.json"
INGEST_ACCOUNT = "central-ingest"
TOOL_ACCOUNT = "anpr-tool"


class Role(StrEnum):
    AGENT = "agent"
    INGEST = "ingest"
    TOOL = "tool"


class Account(BaseModel):
    name: str = Field(pattern=ID_PATTERN)
    role: Role
    site_id: str | None = Field(default=None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _site(self) -> Account:
        if (self.role is Role.AGENT) != (self.site_id is not None):
            raise ValueError("an agent account needs its site_id, and only an agent has one")
        return self


class Accounts(BaseModel):
    accounts: dict[str, Account] = {}


def load(pki_dir: Path) -> Accounts:
    path = pki_dir / ACCOUNTS_FILE
    return Accounts.model_validate_json(path.read_text()) if path.exists() else Accounts()


def add(pki_dir: Path, account: Account) -> str:
    """Record the account (replacing one of the same name) and return its password."""
    accounts = load(pki_dir)
    accounts.accounts[account.name] = account
    pki_dir.mkdir(parents=True, exist_ok=True)
    tmp = pki_dir / f".{ACCOUNTS_FILE}.tmp"
    tmp.write_text(accounts.model_dump_json(indent=2))
    tmp.replace(pki_dir / ACCOUNTS_FILE)
    secret_file = pki_dir / f"{account.name}.password"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(24))
    return secret_file.read_text().strip()


def enrol(pki_dir: Path, account: Account) -> Identity:
    """Issue the account's client certificate and record the account (password, ACL)."""
    from anpr.security import pki

    ident = pki.issue(pki_dir, account.name)
    add(pki_dir, account)
    return ident


def ensure_central_accounts(pki_dir: Path) -> list[str]:
    """The ingest and tool accounts, each with a password and a client certificate."""
    known = load(pki_dir).accounts
    made = []
    for name, role in ((INGEST_ACCOUNT, Role.INGEST), (TOOL_ACCOUNT, Role.TOOL)):
        if name not in known or not (pki_dir / f"{name}.crt").exists():
            enrol(pki_dir, Account(name=name, role=role))
            made.append(name)
    return made


def password(pki_dir: Path, name: str) -> str:
    path = pki_dir / f"{name}.password"
    if not path.exists():
        raise KeyError(f"no MQTT account {name!r} in {pki_dir}")
    return path.read_text().strip()


def url_for(pki_dir: Path, name: str, host: str, port: int) -> str:
    """A loopback URL that logs in as `name` with its password."""
    return f"mqtt://{quote(name, safe='')}:{quote(password(pki_dir, name), safe='')}@{host}:{port}"


def acl_text(accounts: Accounts) -> str:
    lines = ["# Generated from accounts.json by anpr; edits here are overwritten.", ""]
    for acc in sorted(accounts.accounts.values(), key=lambda a: a.name):
        lines.append(f"user {acc.name}")
        if acc.role is Role.AGENT:
            lines += [
                f"topic write {ROOT}/{acc.site_id}/+/{kind}" for kind in ("read", "heartbeat", "status")
            ]
            lines.append(f"topic read {ROOT}/{acc.site_id}/{acc.name}/ack")
        elif acc.role is Role.INGEST:
            lines += [f"topic read {ROOT}/#", f"topic write {ROOT}/alerts/#", f"topic write {ROOT}/+/+/ack"]
        else:
            lines.append("topic readwrite anpr/#")
        lines.append("")
    return "\n".join(lines)


def render(pki_dir: Path, broker_dir: Path) -> tuple[Path, Path]:
    """Write Mosquitto's `passwd` (hashed with mosquitto_passwd) and `acl` files."""
    accounts = load(pki_dir)
    tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    passwd, acl = broker_dir / "passwd", broker_dir / "acl"
    fd = os.open(passwd, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for name in sorted(accounts.accounts):
            f.write(f"{name}:{password(pki_dir, name)}\n")
    # -U hashes a plain-text file in place: the secrets never reach a command line.
    subprocess.run([tool, "-U", str(passwd)], check=True, capture_output=True, timeout=60)
    acl.write_text(acl_text(accounts))
    return passwd, acl
