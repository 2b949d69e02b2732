from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("accuracy")
def accuracy(
    dataset: Path = typer.Option(..., help="Folder of stills with truth."),
    fmt: str = typer.Option("openalpr", "--format", help="openalpr | csv"),
    profile: str = typer.Option(
        "x86-stills", help="Device profile; the default reads stills at three detector widths."
    ),
    out: Path | None = typer.Option(None, help="Write every figure and each plate's outcome as JSON here."),
    limit: int = typer.Option(0, help="Only the first N images (0 = all)."),
    models_dir: Path | None = typer.Option(
        None, help="Folder with the profile's model files, to measure a candidate (default: models/)."
    ),
    baselines: bool = typer.Option(
        True,
        help="Also run the peer OCR (fast-plate-ocr, from ../shared, on our boxes and on the truth "
        "boxes) and OpenCV's plate cascade with RapidOCR and with Tesseract, and print ratios.",
    ),
    cascades: bool = typer.Option(True, help="With --baselines: the cascade baselines too (slow)."),
) -> None:
    """Detection recall (IoU ≥ 0.5), end-to-end exact accuracy (strict and O≡0/I≡1 folded),
    character accuracy and latency per stage on still photos, beside the baselines."""
    import platform
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from benchmarks import baselines as base
    from benchmarks import peer_ocr as peer
    from benchmarks.datasets import load_stills
    from benchmarks.stills_accuracy import Reader, StillsReport, evaluate, save
    from edge.onnx_models import MODELS_DIR
    from edge.profiles import load_profile
    from edge.still_reader import StillReader

    try:
        stills = load_stills(dataset, fmt, limit)
        ours_reader = StillReader(load_profile(profile), models_dir or MODELS_DIR)
    except (FileNotFoundError, ValueError) as exc:  # a dataset, profile or model file is missing or bad
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    ours = f"ours ({profile})"
    readers: dict[str, Reader] = {ours: ours_reader}
    if baselines:
        if why := peer.missing():
            typer.echo(f"baseline {peer.NAME} skipped: {why}", err=True)
        else:
            readers[f"our boxes + {peer.NAME}"] = peer.PeerOnBoxes(ours_reader)
        for name, why in base.available().items() if cascades else ():
            if why:
                typer.echo(f"baseline {name} skipped: {why}", err=True)
            else:
                readers[name] = base.make(name)
    reports: dict[str, StillsReport] = {}
    with Progress() as progress:
        for name, reader in readers.items():
            task = progress.add_task(f"{name}: {len(stills)} images", total=len(stills))
            reports[name] = evaluate(reader, stills, lambda task=task: progress.advance(task))
    figs = {name: rep.figures() for name, rep in reports.items()}
    table = Table(title=f"{dataset}")
    table.add_column("figure", no_wrap=True)
    for name in figs:
        table.add_column(name, justify="right")
    for name in list(figs)[1:]:
        table.add_column(f"ours ÷ {name}", justify="right")
    for k, v in figs[ours].items():
        row = [k] + [f"{f[k]:.4f}" if isinstance(f[k], float) else str(f[k]) for f in figs.values()]
        row += [f"{v / f[k]:.2f}" if isinstance(v, float) and f[k] else "-" for f in list(figs.values())[1:]]
        table.add_row(*row)
    Console(width=max(100, 30 + 16 * (2 * len(figs) - 1))).print(table)
    if out:
        save(
            reports[ours],
            out,
            {
                "dataset": str(dataset),
                "profile": profile,
                "models": {k: m.sha256 for k, m in ours_reader.models.items()},
                "machine": platform.node(),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "baselines": {name: f for name, f in figs.items() if name != ours},
            },
        )


@app.command("uk-devset")
def uk_devset(
    photos: Path = typer.Option(
        Path("../shared/data/openalpr_us"), help="Real photos with truth boxes (openalpr layout)."
    ),
    out: Path = typer.Option(Path("artifacts/uk-devset"), help="Where to write the dev set."),
    seed: int = typer.Option(2026),
) -> None:
    """Build the UK real-scene dev set: UK plates in held-out typefaces pasted into real photos
    (day and night/IR looks), for `anpr bench accuracy --dataset OUT`."""
    from collections import Counter

    from benchmarks.uk_devset import build
    from models.fonts import DEVSET_APT_PACKAGES

    try:
        placed = build(photos, out, seed)
    except FileNotFoundError as exc:
        typer.echo(
            f"error: {exc} (fonts: apt install {' '.join(DEVSET_APT_PACKAGES)}; `make devset`)", err=True
        )
        raise typer.Exit(2) from None
    fonts = Counter(p.font for p in placed)
    typer.echo(f"{len(placed)} plates in {out}: " + ", ".join(f"{f} {n}" for f, n in sorted(fonts.items())))


@app.command("footage")
def footage(
    video: Path | None = typer.Option(None, help="Recorded clip."),
    truth: Path | None = typer.Option(None, help="Truth CSV (as written by `anpr footage synth`)."),
    dataset: Path | None = typer.Option(
        None, help="Still photos with truth instead of a clip: swept into one (`anpr footage stills`)."
    ),
    fmt: str = typer.Option("openalpr", "--format", help="With --dataset: openalpr | csv"),
    profile: str = typer.Option("x86-generic"),
    compare: str = typer.Option("", help="A second profile to run on the same footage."),
    out: Path = typer.Option(Path("artifacts/footage-report"), help="Report folder (Markdown, PNG, JSON)."),
    fps: float = typer.Option(0, help="Clip frame rate (0 = read it from the file)."),
) -> None:
    """Capture rate and read accuracy per vehicle pass on footage, with plots and every figure as JSON."""
    import cv2
    from rich.progress import Progress

    from benchmarks.footage_accuracy import run_pipeline, score, write_report
    from edge.config import TrackingConfig
    from edge.profiles import load_profile
    from models.footage import load_truth

    if dataset is not None:
        from anpr.cli.footage_cmd import sweep_dataset

        video, truth = out / "stills.mp4", out / "stills-truth.csv"
        sweep_dataset(dataset, fmt, video, truth)
    if video is None or truth is None:
        typer.echo("error: give --video and --truth, or --dataset", err=True)
        raise typer.Exit(2)
    passes = load_truth(truth)
    rate = fps or cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FPS) or 25.0
    results = {}
    names = [profile] + ([compare] if compare else [])
    with Progress() as progress:
        task = progress.add_task("running the edge pipeline", total=len(names))
        for name in names:
            reads, ms, frames, secs, start = run_pipeline(
                video, load_profile(name), rate, TrackingConfig(group_gap_s=1.0)
            )
            rep = score(reads, passes, rate, start)
            rep.stage_ms, rep.frames, rep.seconds = ms, frames, secs
            results[name] = rep
            progress.advance(task)
    other = results[compare].figures() if compare else None
    path = write_report(results[profile], out, f"Footage benchmark: {video.name}, profile {profile}", other)
    typer.echo(f"report: {path}")
    for k, v in results[profile].figures().items():
        if isinstance(v, float | int):
            typer.echo(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
