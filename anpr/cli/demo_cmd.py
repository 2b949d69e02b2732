from __future__ import annotations

import typer


def command() -> None:
    """Run the network on embedded defaults (grows as the components land)."""
    from anpr.services import manager
    from anpr.settings import CoreSettings

    settings = CoreSettings()
    state = manager.up(settings)
    for rec in state.services.values():
        typer.echo(f"{rec.name}: {rec.kind} at {rec.url}")
    typer.echo("services are up; stop them with `anpr services down`")
