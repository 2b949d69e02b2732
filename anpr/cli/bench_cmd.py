from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("accuracy")
def accuracy(
    dataset: Path = typer.Option(..., help="Folder of stills with truth."),
    fmt: str = typer.Option("openalpr", "--format", help="openalpr | csv"),
    profile: str = typer.Option("x86-generic"),
    out: Path | None = typer.Option(None, help="Write every figure as JSON here."),
    limit: int = typer.Option(0, help="Only the first N images (0 = all)."),
) -> None:
    """Detection recall (IoU ≥ 0.5), end-to-end exact accuracy (strict and O≡0/I≡1 folded),
    character accuracy and latency per stage on still photos."""
    import platform
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from benchmarks.datasets import load_csv, load_openalpr
    from benchmarks.stills_accuracy import evaluate, save
    from edge.still_reader import StillReader

    if not dataset.exists():
        typer.echo(f"error: dataset not found: {dataset}", err=True)
        raise typer.Exit(2)
    stills = load_openalpr(dataset) if fmt == "openalpr" else load_csv(dataset)
    if limit:
        stills = stills[:limit]
    reader = StillReader.from_profile_name(profile)
    with Progress() as progress:
        task = progress.add_task(f"reading {len(stills)} images", total=len(stills))
        report = evaluate(reader, stills, lambda: progress.advance(task))
    fig = report.figures()
    table = Table(title=f"{dataset} ({profile})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in fig.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    Console().print(table)
    if out:
        save(
            report,
            out,
            {
                "dataset": str(dataset),
                "profile": profile,
                "machine": platform.node(),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
