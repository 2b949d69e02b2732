from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(
    texts: list[str] = typer.Argument(..., help="Plate texts, e.g. 'AB51 ABC'."),
) -> None:
    """Print one JSON object per input: normalised VRM, format, validity, issues, candidates."""
    from anpr.plates import check_vrm

    for text in texts:
        typer.echo(check_vrm(text).model_dump_json())
