from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("schemas")
def schemas(
    out: Path | None = typer.Option(None, help="Directory to write to (default: the package's)."),
) -> None:
    """Regenerate the JSON Schema files from the message models."""
    from anpr.protocol.schema_export import SCHEMA_DIR, write

    for path in write(out or SCHEMA_DIR):
        typer.echo(str(path))


@app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="JSON message files.")) -> None:
    """Validate message files; exit 1 if any is invalid."""
    from anpr.protocol import ProtocolError, decode

    failed = 0
    for path in files:
        try:
            msg = decode(path.read_bytes())
            typer.echo(f"{path}: valid {msg.kind}")  # type: ignore[attr-defined]
        except ProtocolError as exc:
            failed += 1
            typer.echo(f"{path}: invalid: {exc}", err=True)
    raise typer.Exit(1 if failed else 0)
