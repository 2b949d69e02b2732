"""`anpr certs init|issue|list`: the project CA, the broker's certificate, one per agent."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)

DirOption = typer.Option(None, "--dir", help="PKI directory (default: $ANPR_DATA_DIR/pki).")


def _dir(pki_dir: Path | None) -> Path:
    from anpr.settings import CoreSettings

    return pki_dir or CoreSettings().pki_dir


def _reload_local_broker() -> str:
    """Apply new accounts to the broker `anpr services` runs, if it runs."""
    from anpr.services import broker
    from anpr.services.state import load
    from anpr.settings import CoreSettings

    rec = load(CoreSettings().data_dir).services.get("mqtt")
    if rec is None or not rec.pki_dir:
        return "no local broker with accounts is running; copy the files to your broker"
    broker.reload(rec)
    return f"local broker (pid {rec.pid}) reloaded its accounts"


@app.command("init")
def init(
    pki_dir: Path | None = DirOption,
    host: list[str] = typer.Option(
        ["127.0.0.1", "localhost"], "--host", help="Names and addresses the broker is reached by."
    ),
) -> None:
    """Create the CA (kept if it exists), the broker's certificate and the central accounts."""
    from anpr.security import mqtt_accounts, pki

    d = _dir(pki_dir)
    ident = pki.init_ca(d, tuple(host))
    mqtt_accounts.ensure_central_accounts(d)
    typer.echo(f"CA: {ident.ca_file}")
    typer.echo(f"broker: {ident.cert_file} {ident.key_file} (for {', '.join(host)})")
    typer.echo(f"accounts: {mqtt_accounts.INGEST_ACCOUNT}, {mqtt_accounts.TOOL_ACCOUNT}")


@app.command("issue")
def issue(
    name: str = typer.Argument(..., help="The agent's id (or a worker's name): the MQTT user name."),
    site: str | None = typer.Option(None, help="The agent's site: it may publish only under it."),
    role: str = typer.Option("agent", help="agent | ingest | tool"),
    pki_dir: Path | None = DirOption,
) -> None:
    """Issue NAME's client certificate and record its MQTT account and ACL."""
    from pydantic import ValidationError

    from anpr.config_errors import describe
    from anpr.security import mqtt_accounts, pki

    d = _dir(pki_dir)
    try:
        account = mqtt_accounts.Account(name=name, role=mqtt_accounts.Role(role), site_id=site)
        ident = mqtt_accounts.enrol(d, account)
    except ValidationError as exc:
        typer.echo(describe(exc, "account"), err=True)
        raise typer.Exit(2) from None
    except (ValueError, pki.PkiError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{name}: {ident.cert_file} {ident.key_file} (CA {ident.ca_file})")
    scope = (
        f"publishes reads, heartbeats and status under anpr/v1/{site}/, reads anpr/v1/{site}/{name}/ack"
        if site
        else f"role {role}"
    )
    typer.echo(f"account {name}: {scope}")
    typer.echo(_reload_local_broker())


@app.command("list")
def list_accounts(pki_dir: Path | None = DirOption) -> None:
    """The MQTT accounts and what each may do."""
    from anpr.security import mqtt_accounts

    for acc in mqtt_accounts.load(_dir(pki_dir)).accounts.values():
        typer.echo(f"{acc.name}\t{acc.role.value}\t{acc.site_id or ''}")
