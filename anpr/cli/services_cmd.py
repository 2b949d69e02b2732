from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


def _settings():  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from anpr.config_errors import describe
    from anpr.settings import CoreSettings

    try:
        return CoreSettings()
    except ValidationError as exc:
        typer.echo(describe(exc, "environment (ANPR_*)"), err=True)
        raise typer.Exit(2) from None


@app.command("up")
def up(
    broker: str = typer.Option("auto", help="auto | mosquitto | amqtt"),
) -> None:
    """Start embedded PostgreSQL and an MQTT broker (no-op for what already runs)."""
    from anpr.services import manager
    from anpr.services.broker import BrokerError

    settings = _settings()
    try:
        state = manager.up(settings, prefer_broker=broker)
    except BrokerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for rec in state.services.values():
        typer.echo(f"{rec.name}: {rec.kind} at {rec.url}")
    typer.echo(f"state: {settings.data_dir}")


@app.command("down")
def down() -> None:
    """Stop what `up` started."""
    from anpr.services import manager

    stopped = manager.down(_settings())
    typer.echo("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@app.command("status")
def status() -> None:
    """Show each local service and whether it answers; exit 1 if any is down."""
    from anpr.services import manager

    found = manager.status(_settings())
    if not found:
        typer.echo("no services (run `anpr services up`)")
        raise typer.Exit(1)
    for s in found:
        typer.echo(f"{s.name}: {'running' if s.running else 'DOWN'} {s.kind} {s.url} ({s.detail})")
    raise typer.Exit(0 if all(s.running for s in found) else 1)


@app.command("env")
def env() -> None:
    """Print `export` lines for ANPR_DATABASE_URL and ANPR_MQTT_URL."""
    from anpr.services.resolve import database_url, mqtt_url

    settings = _settings()
    typer.echo(f"export ANPR_DATABASE_URL='{database_url(settings)}'")
    typer.echo(f"export ANPR_MQTT_URL='{mqtt_url(settings)}'")
