from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("load")
def load(
    file: Path = typer.Argument(..., help="CSV or VOI JSON Lines (see hotlists/formats.py)."),
    list_name: str = typer.Option(..., "--list", help="List name; a new revision of it is created."),
    create: bool = typer.Option(False, help="Start a new list (without it an unknown name is refused)."),
    priority: int | None = typer.Option(None, min=1, max=9, help="1 is the most urgent (default 5)."),
    mode: str | None = typer.Option(None, help="exact | lenient (default lenient)."),
    max_substitutions: int | None = typer.Option(None, min=0, max=3, help="Default 1."),
    wide: bool | None = typer.Option(None, help="Also use the wider confusable classes (E/F/P, H/K/M/R …)."),
    max_age: str | None = typer.Option(None, help="Alarm when not refreshed within this (default 24h)."),
    owner: str | None = typer.Option(None),
    skip_invalid: bool = typer.Option(
        False,
        help="Load the valid rows as the new revision even if some are rejected. Without it a file "
        "with any bad row changes nothing. Either way the switch is one transaction.",
    ),
) -> None:
    """Load a hotlist revision atomically: matching switches to it in one commit. An existing
    list keeps its settings except those given here."""
    import time
    from dataclasses import replace

    from anpr.cli.central_cmd import connect_db
    from central import audit, reports
    from hotlists.formats import parse_file
    from hotlists.loader import ListSettings, NoSuchList, list_settings, load_revision

    if mode is not None and mode not in ("exact", "lenient"):
        typer.echo("error: --mode must be exact or lenient", err=True)
        raise typer.Exit(2)
    if not file.exists():
        typer.echo(f"error: file not found: {file}", err=True)
        raise typer.Exit(2)
    t0 = time.perf_counter()
    parsed = parse_file(file)
    for r in parsed.rejected:  # every bad row, so the sender can fix them all at once
        typer.echo(f"{file}:{r.line}: rejected: {r.reason}", err=True)
    if parsed.rejected and not skip_invalid:
        typer.echo(
            f"error: {len(parsed.rejected)} row(s) rejected; nothing loaded (use --skip-invalid)", err=True
        )
        raise typer.Exit(1)
    conn = connect_db()
    current = list_settings(conn, list_name)
    if current is None and not create:
        typer.echo(f"error: no hotlist named {list_name!r}; pass --create to start a new list", err=True)
        raise typer.Exit(2)
    given = {
        "owner": owner,
        "priority": priority,
        "match_mode": mode,
        "max_substitutions": max_substitutions,
        "wide_classes": wide,
        "max_age_s": int(reports.parse_period(max_age).total_seconds()) if max_age else None,
    }
    given = {k: v for k, v in given.items() if v is not None}
    settings = replace(current or ListSettings(), **given) if given or current is None else None
    try:
        _list_id, rev = load_revision(conn, list_name, parsed.entries, settings, create=create)
    except NoSuchList as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if current is not None and settings is not None and settings != current:
        typer.echo(f"{list_name}: settings changed from {current} to {settings}")
    audit.record(
        conn,
        "cli",
        "hotlist.load",
        {
            "list": list_name,
            "revision": rev,
            "entries": len(parsed.entries),
            "rejected": len(parsed.rejected),
            "file": str(file),
        },
    )
    typer.echo(
        f"{list_name}: revision {rev} with {len(parsed.entries)} entries "
        f"({len(parsed.rejected)} rejected) in {time.perf_counter() - t0:.1f} s"
    )


@app.command("status")
def status() -> None:
    """Lists with revision, size, last refresh and staleness."""
    from anpr.cli.central_cmd import connect_db
    from hotlists.loader import stale_lists

    conn = connect_db()
    stale = dict(stale_lists(conn))
    for name, rev, refreshed, n in conn.execute(
        "SELECT h.name, h.current_revision, h.refreshed_at, (SELECT count(*) FROM hotlist_entries e "
        "WHERE e.list_id = h.list_id AND e.revision = h.current_revision) FROM hotlists h ORDER BY name"
    ):
        flag = "STALE" if name in stale else "ok"
        typer.echo(f"{name}: revision {rev}, {n} entries, refreshed {refreshed:%Y-%m-%d %H:%M} UTC, {flag}")
