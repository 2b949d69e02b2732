from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("synth")
def synth(
    out: Path = typer.Option(..., help="Output video (.mp4)."),
    truth: Path = typer.Option(..., help="Output truth CSV, one row per vehicle pass."),
    vehicles: int = typer.Option(10, min=1),
    conditions: str = typer.Option("day", help="Comma-separated: day,night,rain"),
    seed: int = typer.Option(1),
    width: int = typer.Option(1280),
    height: int = typer.Option(720),
    fps: float = typer.Option(25.0),
    lanes: int = typer.Option(2, min=1, max=4),
) -> None:
    """Render synthetic UK traffic with per-frame and per-vehicle truth."""
    from models.footage import CONDITIONS, synthesise

    conds = tuple(c.strip() for c in conditions.split(",") if c.strip())
    bad = [c for c in conds if c not in CONDITIONS]
    if bad or not conds:
        typer.echo(f"error: --conditions: unknown {bad}; choose from {', '.join(CONDITIONS)}", err=True)
        raise typer.Exit(2)
    passes = synthesise(out, truth, vehicles, conds, seed, (width, height), fps, lanes)
    typer.echo(
        f"{out}: {len(passes)} vehicle passes; truth in {truth} and {truth.with_suffix('.frames.jsonl')}"
    )
