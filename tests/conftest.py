from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = services.system_postgres_admin_url()
    if url is None:
        data_dir = tmp_path_factory.mktemp("embedded-pg")
        url = services.embedded_postgres_admin_url(data_dir)
        yield url
        from anpr.services import postgres
        from anpr.services.state import ServiceRecord

        postgres.stop(
            ServiceRecord(
                name="postgres",
                kind="embedded-postgres",
                url=url,
                data_dir=str(data_dir / "postgres"),
            )
        )
        return
    yield url


@pytest.fixture()
def database_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database per test, dropped afterwards."""
    from benchmarks.bench_db import drop_db, fresh_db

    url = fresh_db(pg_admin_url, f"anpr_test_{uuid.uuid4().hex[:12]}")
    yield url
    drop_db(pg_admin_url, url)


@pytest.fixture(scope="session")
def mqtt_broker(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The tests' own Mosquitto with accounts, ACLs and TLS, as deployed (None without mosquitto)."""
    from anpr.services import broker

    if broker.mosquitto_binary() is None:
        yield None
        return
    rec = broker.start(tmp_path_factory.mktemp("broker"), services.free_port(), "mosquitto")
    yield rec
    broker.stop(rec)


@pytest.fixture(scope="session")
def mqtt_url(mqtt_broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A URL logged in with the tool account (tests play agents and operators)."""
    from anpr.security.mqtt_accounts import TOOL_ACCOUNT
    from anpr.services import broker

    if mqtt_broker is not None:
        yield broker.account_url(mqtt_broker, TOOL_ACCOUNT)
        return
    url = services.system_mqtt_url()
    if url:
        yield url
        return
    rec = broker.start(tmp_path_factory.mktemp("broker"), services.free_port())
    yield rec.url
    broker.stop(rec)


@pytest.fixture()
def shared_data() -> Path:
    path = Path(os.environ.get("ANPR_SHARED_DATA", SHARED_DATA))
    if not (path / "openalpr_us").exists():
        pytest.skip(f"real photos not present at {path}/openalpr_us (../shared/data)")
    return path


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Six vehicles of rendered day traffic with its truth, for tests that run the real agent."""
    from models.footage import load_truth, synthesise

    d = tmp_path_factory.mktemp("footage")
    synthesise(
        d / "clip.mp4",
        d / "truth.csv",
        vehicles=6,
        conditions=("day",),
        seed=11,
        size=(960, 540),
        fps=10,
        lanes=1,
    )
    return d / "clip.mp4", load_truth(d / "truth.csv")
