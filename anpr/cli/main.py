"""`anpr`: one CLI for deployers, operators and benchmark engineers."""

from __future__ import annotations

import typer

from anpr import __version__
from anpr.cli import protocol_cmd, services_cmd, vrm_cmd

app = typer.Typer(
    name="anpr",
    help="ANPR network: edge agents, central service, hotlists, benchmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(services_cmd.app, name="services", help="Local PostgreSQL and MQTT broker for one machine.")
app.add_typer(vrm_cmd.app, name="vrm", help="UK plate grammar: classify and correct VRMs.")
app.add_typer(protocol_cmd.app, name="protocol", help="Wire protocol v1: JSON Schemas and validation.")


def _optional(module: str, name: str, help_text: str) -> None:
    """Register a command group that lives in another package, if that package is installed."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return
    if hasattr(mod, "app"):
        app.add_typer(mod.app, name=name, help=help_text)
    else:
        app.command(name=name, help=help_text)(mod.command)


_optional(
    "anpr.cli.central_cmd", "central", "Central service: migrate, ingest, serve, sites, users, reports."
)
_optional("anpr.cli.certs_cmd", "certs", "MQTT security: the project CA, certificates and accounts.")
_optional("anpr.cli.hotlist_cmd", "hotlist", "Hotlists: load a revision, show status.")
_optional("anpr.cli.edge_cmd", "edge", "Edge agent: run it, check configs and device profiles.")
_optional("anpr.cli.footage_cmd", "footage", "Synthetic UK traffic footage with truth.")
_optional("anpr.cli.bench_cmd", "bench", "Accuracy and speed benchmarks.")
_optional("anpr.cli.read_cmd", "read", "Read plates in images or folders.")
_optional("anpr.cli.demo_cmd", "demo", "The whole network on one machine, on embedded defaults.")


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
