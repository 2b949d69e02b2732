from __future__ import annotations

from pathlib import Path

import typer


def command(
    port: int = typer.Option(8080, help="Console and API port."),
    minutes: float = typer.Option(0, help="Stop after this many minutes (0 = until Ctrl-C)."),
    real_sites: str = typer.Option("S01,S02", help="Sites run by real edge agents with the real models."),
    fail_after: float = typer.Option(60, help="Seconds until a site's agent fails (then recovers)."),
    summary_json: Path | None = typer.Option(
        None, help="On stop, also write what the run did (reads, sites, alerts, incidents) here as JSON."
    ),
) -> None:
    """Run the whole 61-site network on one machine, on embedded defaults."""
    from demo.run import DemoOptions, run

    run(
        DemoOptions(
            real_sites=tuple(s for s in real_sites.split(",") if s),
            port=port,
            minutes=minutes or None,
            fail_after_s=fail_after,
            summary_json=summary_json,
        )
    )
