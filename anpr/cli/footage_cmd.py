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


@app.command("stills")
def stills(
    dataset: Path = typer.Option(..., help="Folder (openalpr layout) or CSV of photos with truth."),
    fmt: str = typer.Option("openalpr", "--format", help="openalpr | csv"),
    out: Path = typer.Option(..., help="Output video (.mp4)."),
    truth: Path = typer.Option(..., help="Output truth CSV, one row per photo (vehicle pass)."),
    fps: float = typer.Option(12.0, min=1),
    seconds: float = typer.Option(1.5, min=0.2, help="How long each photo's pass lasts."),
    width: int = typer.Option(1280),
    height: int = typer.Option(720),
    limit: int = typer.Option(0, help="Only the first N photos (0 = all)."),
) -> None:
    """Sweep still photos into a clip (one vehicle pass each) for `anpr bench footage`."""
    from rich.progress import Progress

    from benchmarks.datasets import load_csv, load_openalpr
    from benchmarks.stills_sweep import sweep_stills

    if not dataset.exists():
        typer.echo(f"error: --dataset not found: {dataset}", err=True)
        raise typer.Exit(2)
    photos = load_openalpr(dataset) if fmt == "openalpr" else load_csv(dataset)
    if limit:
        photos = photos[:limit]
    with Progress() as progress:
        task = progress.add_task(f"sweeping {len(photos)} photos", total=len(photos))
        passes, unreadable = sweep_stills(
            photos, out, truth, (width, height), fps, seconds, progress=lambda: progress.advance(task)
        )
    typer.echo(f"{out}: {len(passes)} vehicle passes ({unreadable} photos unreadable); truth in {truth}")
