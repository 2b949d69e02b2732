from __future__ import annotations

from pathlib import Path

import typer

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() in IMAGE_SUFFIXES))
        else:
            out.append(p)
    return out


def command(
    paths: list[Path] = typer.Argument(..., help="Image files or folders (searched recursively)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per image per line."),
    profile: str = typer.Option("x86-stills", help="Device profile from firmware_profiles/."),
) -> None:
    """Read plates in images or folders; exit 1 if any image could not be read."""
    try:
        from edge.still_reader import StillReader
        from edge.still_result import read_file
    except ImportError as exc:  # the agent extras are not installed
        typer.echo(f"error: `anpr read` needs the edge extras (pip install .[edge]): {exc}", err=True)
        raise typer.Exit(2) from None

    reader = StillReader.from_profile_name(profile)
    failed = 0
    for path in _expand(paths):
        result = read_file(reader, path)
        failed += result.error is not None
        if json_out:
            typer.echo(result.model_dump_json())
        elif result.error:
            typer.echo(f"{path}: error: {result.error}")
        else:
            texts = ", ".join(f"{p.text} ({p.confidence:.2f})" for p in result.plates) or "no plate"
            typer.echo(f"{path}: {texts}")
    raise typer.Exit(1 if failed else 0)
