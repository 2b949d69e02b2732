"""The operator console in a real Chromium (Debian's, headless), against a real PostgreSQL,
a real Mosquitto and a real ingest worker. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is installed by `make test`")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is installed by `make test` (apt package chromium)", allow_module_level=True
    )

import uvicorn  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from anpr.ids import uuid7  # noqa: E402
from anpr.protocol import CameraHealth, CameraState, OutboxHealth, encode, topics  # noqa: E402
from central import auth, store  # noqa: E402
from central.housekeeping import Housekeeper  # noqa: E402
from central.ingest import IngestWorker  # noqa: E402
from central.ingest_batch import Incoming, process  # noqa: E402
from central.registry import import_sites, parse  # noqa: E402
from central.web import create_web_app  # noqa: E402
from hotlists.formats import HotlistEntry  # noqa: E402
from hotlists.loader import ListSettings, load_revision  # noqa: E402
from tests import services  # noqa: E402
from tests.factories import make_heartbeat, make_read  # noqa: E402
from tests.services import free_port  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "artifacts" / "screenshots"
PASSWORD = "operator-pass-2026"


def _jpeg(text: str, w: int, h: int, bg: tuple[int, int, int]) -> bytes:
    import cv2
    import numpy as np

    img = np.full((h, w, 3), bg, np.uint8)
    cv2.putText(img, text, (4, h - 8), cv2.FONT_HERSHEY_SIMPLEX, h / 45, (20, 20, 20), 2)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 60])[1].tobytes()


@pytest.fixture()
def console(database_url: str, mqtt_url: str) -> Iterator[dict]:
    conn = store.connect(database_url)
    store.migrate(conn)
    import_sites(conn, parse(REPO / "central" / "data" / "sites.yaml"))
    auth.create_user(conn, "op1", PASSWORD, "operator")
    auth.create_user(conn, "admin", PASSWORD, "admin")
    load_revision(
        conn,
        "PNC-extract",
        [
            HotlistEntry(
                vrm="KX19PLM",
                make="Ford",
                model="Focus",
                colour="Blue",
                action="Stop and check occupants",
                warning_markers=["firearms"],
                reason="Linked to robbery",
            ),
            HotlistEntry(vrm="LB07SEO", action="Report sighting only", reason="Missing person vehicle"),
        ],
        ListSettings(priority=1, owner="PNC"),
    )
    # A week of realistic traffic on every camera, so the board has numbers and baselines.
    now = datetime.now(UTC)
    cams = conn.execute("SELECT camera_id, site_id FROM cameras").fetchall()
    rows = []
    for h in range(1, 24 * 8, 7):
        for cam, _site in cams:
            rows.append(
                (cam, (now - timedelta(hours=h)).replace(minute=0, second=0, microsecond=0), 40 + h % 60)
            )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO read_rollup_hourly(camera_id, hour, reads) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            rows,
        )
    reads = [
        make_read(
            vrm=v,
            site=s,
            camera=f"{s}-C1",
            plate_jpeg=_jpeg(v, 120, 30, (230, 230, 230)),
            overview_jpeg=_jpeg("overview", 320, 180, (90, 90, 90)),
            captured_at=now - timedelta(minutes=m),
            read_id=uuid7(int((now - timedelta(minutes=m)).timestamp() * 1000)),
        )
        for v, s, m in (("AB51ABC", "S01", 5), ("AB51ABC", "S07", 50), ("YK68TRV", "S02", 12))
    ]
    process(
        conn,
        [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), now) for r in reads],
        dict((c, s) for c, s in cams),
        None,
    )
    # Every site's agent reports healthy except one, so the board shows a mix.
    for cam, site in cams:
        conn.execute(
            "UPDATE camera_state SET state = 'UP', reason = '', last_heartbeat_at = now(), agent_id = %s "
            "WHERE camera_id = %s",
            (f"{site}-A1", cam),
        )
        conn.execute(
            "INSERT INTO agents(site_id, agent_id, state, last_heartbeat_at, interval_s) VALUES "
            "(%s, %s, 'online', now() + interval '1 hour', 30) ON CONFLICT DO NOTHING",
            (site, f"{site}-A1"),
        )
    conn.execute("UPDATE cameras SET heartbeat_interval_s = 3600 WHERE site_id <> 'S05'")
    conn.execute("UPDATE incidents SET ended_at = now() WHERE ended_at IS NULL")

    group = "web" + uuid.uuid4().hex[:6]
    worker = IngestWorker(database_url, mqtt_url, worker_id="1", group=group)
    wt = threading.Thread(target=worker.run, daemon=True)
    wt.start()
    assert worker.ready.wait(10)
    hk = Housekeeper(database_url, every_s=0.5).start()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_web_app(database_url), host="127.0.0.1", port=port, log_level="warning")
    )
    st = threading.Thread(target=server.run, daemon=True)
    st.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    pub = services.mqtt_connect(mqtt_url)
    yield {"url": f"http://127.0.0.1:{port}", "pub": pub, "db": conn}
    pub.loop_stop()
    server.should_exit = True
    st.join(10)
    hk.stop()
    worker.stop_event.set()
    wt.join(10)
    conn.close()


@pytest.fixture()
def page() -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        pg = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def login(page: Page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login" not in u)


def test_live_alert_acknowledge_and_disposition(console: dict, page: Page) -> None:
    base, pub = console["url"], console["pub"]
    login(page, base, "op1")
    page.goto(f"{base}/alerts")
    expect(page.locator("#live")).to_have_text("live", timeout=10_000)
    page.screenshot(path=str(SHOTS / "alerts-empty.png"))
    read = make_read(
        vrm="KX19PLM",
        site="S03",
        camera="S03-C1",
        lane=2,
        direction="approaching",
        plate_jpeg=_jpeg("KX19 PLM", 120, 30, (230, 230, 230)),
        overview_jpeg=_jpeg("S03 lane 2", 320, 180, (110, 110, 110)),
    )
    fuzzy = make_read(
        vrm="LB07SE0",
        raw_text="LB07SE0",
        format="other",
        site="S04",
        camera="S04-C1",
        plate_jpeg=_jpeg("LB07 SE0", 120, 30, (24, 204, 250)),
    )
    t0 = time.monotonic()
    pub.publish(topics.read_topic("S03", "S03-C1"), encode(read), qos=1).wait_for_publish(5)
    card = page.locator("article[data-alert-id]").filter(has_text="Stop and check occupants")
    expect(card).to_be_visible(timeout=5_000)
    seen_after = time.monotonic() - t0
    pub.publish(topics.read_topic("S04", "S04-C1"), encode(fuzzy), qos=1).wait_for_publish(5)
    possible = page.locator("article.fuzzy")
    expect(possible).to_be_visible(timeout=5_000)
    expect(possible.locator(".vrm .diff")).to_have_text("0")  # the differing character is highlighted
    # Exact P1 above the possible (P2) hit.
    ids = page.locator("article.alert").evaluate_all("els => els.map(e => e.dataset.priority)")
    assert ids == sorted(ids)
    page.screenshot(path=str(SHOTS / "alerts-live.png"), full_page=True)
    assert seen_after < 3.0

    card.get_by_role("button", name="Acknowledge").click()
    expect(card.locator(".state")).to_have_text("acknowledged by op1")
    card.get_by_label("Disposition").select_option("confirmed")
    card.get_by_role("button", name="Record").click()
    expect(card.locator(".state")).to_contain_text("confirmed")
    page.reload()
    again = page.locator("article.alert").filter(has_text="Stop and check occupants")
    expect(again.locator(".state")).to_contain_text("closed: confirmed by op1")
    page.screenshot(path=str(SHOTS / "alerts-disposed.png"), full_page=True)
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_site_goes_down_on_the_board(console: dict, page: Page) -> None:
    base, pub, db = console["url"], console["pub"], console["db"]
    cams = [c for (c,) in db.execute("SELECT camera_id FROM cameras WHERE site_id = 'S05'")]
    beating = threading.Event()
    beating.set()

    def heartbeats() -> None:  # S05's agent is alive: a heartbeat every 0.5 s, interval 1 s
        while beating.is_set():
            hb = make_heartbeat(
                site="S05",
                agent="S05-A1",
                interval_s=1,
                cameras=[CameraHealth(camera_id=c, state=CameraState.STREAMING, fps=25) for c in cams],
                outbox=OutboxHealth(depth=7, unconfirmed=5, oldest_unconfirmed_s=12.0, republished_total=2),
            )
            pub.publish(topics.heartbeat_topic("S05", "S05-A1"), encode(hb), qos=1)
            time.sleep(0.5)

    threading.Thread(target=heartbeats, daemon=True).start()
    login(page, base, "admin")
    page.goto(f"{base}/sites")
    site = page.locator('a[data-site="S05"]')
    expect(site).to_have_attribute("data-state", "UP", timeout=10_000)
    page.screenshot(path=str(SHOTS / "sites-all-up.png"), full_page=True)
    beating.clear()
    # Heartbeats stop: three missed 1 s intervals later the board shows S05 DOWN, without a manual reload.
    expect(page.locator('a[data-site="S05"]')).to_have_attribute("data-state", "DOWN", timeout=15_000)
    page.screenshot(path=str(SHOTS / "sites-one-down.png"), full_page=True)
    page.goto(f"{base}/sites?filter=DOWN")
    expect(page.locator('a[data-site="S05"]')).to_be_visible()
    page.goto(f"{base}/sites/S05")
    expect(page.locator("table").nth(1)).to_contain_text("no heartbeat")
    # The agent's outbox as its last heartbeat told it: held, unconfirmed, age of the oldest.
    expect(page.locator("table").nth(2)).to_contain_text("S05-A1")
    expect(page.locator("table").nth(2).locator("tbody tr").first).to_contain_text("12 s")
    page.screenshot(path=str(SHOTS / "site-S05.png"), full_page=True)
    for path in ("hotlists", "audit"):
        page.goto(f"{base}/{path}")
        page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
    expect(page.locator("body")).to_contain_text("intact")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_search_past_90_days_is_refused_without_authorisation(console: dict, page: Page) -> None:
    base = console["url"]
    login(page, base, "op1")
    page.goto(f"{base}/search")
    page.get_by_label("VRM").fill("AB51ABC")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table")).to_contain_text("S01")
    page.screenshot(path=str(SHOTS / "search-results.png"), full_page=True)
    old = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("From").fill(old)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Refused")
    expect(page.get_by_role("alert")).to_contain_text("90 days")
    page.screenshot(path=str(SHOTS / "search-refused.png"), full_page=True)
    assert not page.errors, page.errors  # type: ignore[attr-defined]
