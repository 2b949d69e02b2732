from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)
profile_app = typer.Typer(no_args_is_help=True)
app.add_typer(profile_app, name="profile", help="Device profiles: check one on this device.")


def _need_edge() -> None:
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        typer.echo(f"error: the edge extras are not installed (pip install .[edge]): {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("run")
def run(
    config: Path = typer.Option(..., "--config", "-c", help="Agent YAML."),
    exit_when_done: bool = typer.Option(False, help="Exit once file sources end and the outbox drained."),
    log_level: str = typer.Option("INFO", help="DEBUG, INFO, WARNING"),
) -> None:
    """Run the edge agent: cameras → plates → one read per vehicle → MQTT."""
    _need_edge()
    import logging
    import signal

    from edge.config import ConfigError, load_config

    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        typer.echo(f"invalid config:\n{exc}", err=True)
        raise typer.Exit(2) from None
    from edge.agent import Agent

    try:
        agent = Agent(cfg)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: agent.stop_event.set())
    agent.run(exit_when_done=exit_when_done)


@app.command("check-config")
def check_config(config: Path = typer.Argument(..., help="Agent YAML.")) -> None:
    """Validate an agent configuration, load its device profile and the models that names, without
    starting anything: what `edge run` would fail on, this fails on."""
    from edge.config import ConfigError, load_config

    try:
        cfg = load_config(config)
    except ConfigError as exc:
        typer.echo(f"invalid config:\n{exc}", err=True)
        raise typer.Exit(2) from None
    _need_edge()
    from pydantic import ValidationError

    from edge.profiles import load_profile
    from edge.stages import build_stages

    try:
        prof = load_profile(cfg.profile)
        stages = build_stages(prof)
    except (FileNotFoundError, ValidationError) as exc:
        typer.echo(f"invalid config: profile {cfg.profile!r}: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # onnxruntime refuses a corrupt or foreign model file
        typer.echo(f"invalid config: profile {cfg.profile!r}: a model does not load: {exc}", err=True)
        raise typer.Exit(2) from None
    models = ", ".join(f"{k} {m.path.name} ({m.sha256[:12]})" for k, m in stages.models.items())
    typer.echo(
        f"ok: site {cfg.site_id}, agent {cfg.agent_id}, {len(cfg.cameras)} camera(s), "
        f"profile {prof.name}, models {models}"
    )


@profile_app.command("check")
def profile_check(
    profile: str = typer.Argument(..., help="Profile name (firmware_profiles/NAME.yaml) or path."),
    repeats: int = typer.Option(20, min=3),
) -> None:
    """Measure a profile here: milliseconds per stage and frames per second on 1080p."""
    _need_edge()
    from rich.console import Console
    from rich.table import Table

    from edge.profile_check import measure
    from edge.profiles import load_profile

    try:
        prof = load_profile(profile)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    f = measure(prof, repeats)
    table = Table(
        title=f"profile {f.profile}: {f.threads} thread(s), detector input {f.widths_label} px, 1080p"
    )
    table.add_column("stage")
    table.add_column("ms", justify="right")
    table.add_column("per second", justify="right")
    for name, ms in (
        ("gate (motion)", f.gate_ms),
        ("detect", f.detect_ms),
        ("rectify / plate", f.rectify_ms),
        ("ocr / plate", f.ocr_ms_per_plate),
        *([("second look / plate", f.second_look_ms)] if f.second_look_width else []),
    ):
        table.add_row(name, f"{ms:.2f}", f"{1000 / ms:.0f}" if ms else "-")
    table.add_row(f"frame with {f.plates_per_frame} plates", f"{f.frame_ms:.2f}", f"{f.fps:.1f} fps")
    table.add_row("frame, empty road (gated)", f"{f.gate_ms:.2f}", f"{f.idle_fps:.0f} fps")
    Console().print(table)
    verdict = "keeps up with" if f.fps >= prof.max_fps else "does NOT keep up with"
    typer.echo(
        f"{prof.name} {verdict} its {prof.max_fps:g} fps cap with plates in every frame on this device"
    )
