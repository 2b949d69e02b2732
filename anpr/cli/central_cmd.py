from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)
sites_app = typer.Typer(no_args_is_help=True)
users_app = typer.Typer(no_args_is_help=True)
app.add_typer(sites_app, name="sites", help="The site and camera registry.")
app.add_typer(users_app, name="users", help="Console users and API tokens.")


def _urls(need_mqtt: bool = False) -> tuple[str, str | None]:
    from anpr.security.mqtt_accounts import INGEST_ACCOUNT
    from anpr.services.resolve import NoServiceError, database_url, mqtt_url

    try:
        return database_url(), (mqtt_url(account=INGEST_ACCOUNT) if need_mqtt else None)
    except NoServiceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def connect_db():  # type: ignore[no-untyped-def]
    """A migrated connection to the central database, or a clear error and exit 2."""
    from central import store

    url, _ = _urls()
    conn = store.connect(url)
    store.migrate(conn)
    return conn


@app.command("migrate")
def migrate(backend: str = typer.Option("auto", help="auto | plain | timescaledb")) -> None:
    """Apply database migrations (safe to run twice) and create partitions ahead."""
    from central import partitions, store

    url, _ = _urls()
    conn = store.connect(url)
    b = store.migrate(conn, backend)
    created = partitions.ensure_partitions(conn, b)
    typer.echo(
        f"store: {b.name}{' (with policies)' if b.timescale_policies else ''}; "
        f"{len(created)} partition(s) created"
    )


@app.command("ingest")
def ingest(
    worker_id: str = typer.Option("1", help="Unique per worker: the persistent MQTT session's name."),
    group: str = typer.Option("ingest", help="Session name (and shared-subscription group with --shared)."),
    shared: bool = typer.Option(
        False,
        help="Split the load over workers with $share. Mosquitto 2.0 loses shared subscriptions on "
        "a restart: reads published before the workers re-subscribe are dropped.",
    ),
    batch: int = typer.Option(500, min=1),
) -> None:
    """Run an ingest worker: MQTT reads, heartbeats, status → PostgreSQL, hotlist matching, alerts."""
    import logging
    import signal

    from anpr.services.resolve import mqtt_tls
    from central.ingest import IngestWorker

    logging.basicConfig(level="INFO", format="%(levelname)s %(name)s: %(message)s")
    db, mq = _urls(need_mqtt=True)
    w = IngestWorker(db, mq or "", worker_id, group, shared, batch, tls=mqtt_tls())
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: w.stop_event.set())
    stats = w.run()
    typer.echo(f"stopped: {stats}")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8080),
    housekeeping: bool = typer.Option(True, help="Also run health, partitions, retention, webhooks."),
    tls_cert: Path | None = typer.Option(None, help="Serve HTTPS with this certificate (PEM)."),
    tls_key: Path | None = typer.Option(None, help="The certificate's private key (PEM)."),
    secure_cookies: bool | None = typer.Option(
        None, help="Mark cookies Secure (default: on unless serving plain HTTP on loopback)."
    ),
) -> None:
    """Serve the HTTP API and operator console."""
    import logging

    import uvicorn

    from central.housekeeping import Housekeeper
    from central.web import create_web_app

    logging.basicConfig(level="INFO", format="%(levelname)s %(name)s: %(message)s")
    db, _ = _urls()
    hk = Housekeeper(db).start() if housekeeping else None
    try:
        if secure_cookies is None:
            secure_cookies = bool(tls_cert) or host not in ("127.0.0.1", "localhost", "::1")
        uvicorn.run(
            create_web_app(db, secure_cookies=secure_cookies),
            host=host,
            port=port,
            log_level="warning",
            ssl_certfile=str(tls_cert) if tls_cert else None,
            ssl_keyfile=str(tls_key) if tls_key else None,
            proxy_headers=True,
        )
    finally:
        if hk:
            hk.stop()


@app.command("housekeeping")
def housekeeping_cmd() -> None:
    """Run the periodic duties alone (camera health, partitions, retention, webhooks, stale
    hotlists) until stopped: for a deployment whose console runs `serve --no-housekeeping`."""
    import logging
    import signal
    import threading

    from central.housekeeping import Housekeeper

    logging.basicConfig(level="INFO", format="%(levelname)s %(name)s: %(message)s")
    db, _ = _urls()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    hk = Housekeeper(db).start()
    try:
        stop.wait()
    finally:
        hk.stop()


@sites_app.command("import")
def sites_import(file: Path = typer.Argument(..., help="YAML or CSV registry.")) -> None:
    """Import or update sites and cameras."""
    from central.registry import RegistryError, import_sites, parse

    try:
        sites = parse(file)
    except (RegistryError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    n_sites, n_cams = import_sites(connect_db(), sites)
    typer.echo(f"imported {n_sites} sites, {n_cams} cameras")


@users_app.command("add")
def users_add(
    username: str,
    role: str = typer.Option(..., help="operator | supervisor | engineer | auditor | admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    extended: bool = typer.Option(False, help="May search past 90 days (with an authorisation)."),
) -> None:
    """Create or update a user."""
    from central import auth

    try:
        auth.create_user(connect_db(), username, password, role, extended)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"user {username} ({role})")


@users_app.command("token")
def users_token(username: str, name: str = typer.Option("cli")) -> None:
    """Issue an API token for a user (shown once)."""
    from central import auth

    typer.echo(auth.create_api_token(connect_db(), username, name))


@app.command("report")
def report(
    site: str = typer.Option(..., "--site"),
    period: str = typer.Option("7d", help="24h, 7d, 4w …"),
    csv_out: bool = typer.Option(False, "--csv"),
) -> None:
    """Availability, incidents, repair time, read rates and late reads for one site."""
    from rich.console import Console
    from rich.table import Table

    from central import reports

    try:
        rep = reports.site_report(connect_db(), site, reports.parse_period(period))
    except (ValueError, LookupError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    cols = reports.CAMERA_COLUMNS
    if csv_out:
        typer.echo(reports.cameras_csv(rep), nl=False)
        return
    t = Table(
        title=f"{rep.site_id} {rep.name}: {period} to {rep.until:%Y-%m-%d %H:%M} UTC — {rep.state}, "
        f"availability {rep.availability_pct:.2f} %, {rep.incidents} incident(s)"
    )
    for k in cols:
        t.add_column(k)
    for c in rep.cameras:
        t.add_row(*[str(getattr(c, k)) for k in cols])
    Console().print(t)


@app.command("health")
def health_now() -> None:
    """Re-evaluate camera states once and print the changes."""
    from central import health

    for cam, old, new in health.evaluate(connect_db()):
        typer.echo(f"{cam}: {old} → {new}")
