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
        pg = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
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
    # B9: no camera counts as down for the time before it could first report.
    expect(page.locator('a[data-site="S01"] .avail')).to_contain_text("24h 100.0 %")
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


# -- regressions for the bugs an operator hit (issue: B1-B9) and the shared alert queue ---------------
def _alert_for(pub, vrm: str = "KX19PLM", site: str = "S03") -> None:  # type: ignore[no-untyped-def]
    read = make_read(
        vrm=vrm,
        site=site,
        camera=f"{site}-C1",
        plate_jpeg=_jpeg(vrm, 120, 30, (230, 230, 230)),
        overview_jpeg=_jpeg(site, 320, 180, (110, 110, 110)),
    )
    pub.publish(topics.read_topic(site, f"{site}-C1"), encode(read), qos=1).wait_for_publish(5)


def test_two_consoles_share_one_queue_and_a_disposition_is_final(console: dict, page: Page) -> None:
    base, pub = console["url"], console["pub"]
    login(page, base, "op1")
    page.goto(f"{base}/alerts")
    expect(page.locator("#live")).to_have_text("live", timeout=10_000)
    other_ctx = page.context.browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[union-attr]
    other = other_ctx.new_page()
    login(other, base, "admin")
    other.goto(f"{base}/alerts")
    expect(other.locator("#live")).to_have_text("live", timeout=10_000)
    _alert_for(pub)
    mine = page.locator("article.alert").filter(has_text="Stop and check occupants")
    theirs = other.locator("article.alert").filter(has_text="Stop and check occupants")
    expect(mine).to_be_visible(timeout=5_000)
    expect(theirs).to_be_visible(timeout=5_000)
    expect(theirs.get_by_role("button", name="Record")).to_be_disabled()  # a disposition must be chosen
    # The same vehicle again while the alert is open: one card with a count, on both consoles.
    _alert_for(pub)
    expect(theirs.locator(".badge.repeats")).to_contain_text("seen 2 times", timeout=5_000)
    expect(mine.locator(".badge.repeats")).to_contain_text("seen 2 times", timeout=5_000)
    assert page.locator("article.alert").filter(has_text="Stop and check occupants").count() == 1

    # A acknowledges: B sees who did, live, and its Acknowledge button is gone (B3).
    mine.get_by_role("button", name="Acknowledge").click()
    expect(theirs.locator(".state")).to_have_text("acknowledged by op1", timeout=5_000)
    expect(theirs.get_by_role("button", name="Acknowledge")).to_have_count(0)
    # A records a disposition with a log number: B's card closes with A's answer, controls gone (B2).
    mine.get_by_label("Disposition").select_option("actioned")
    mine.get_by_label("Incident or log number").fill("LOG-0412")
    mine.get_by_role("button", name="Record").click()
    expect(mine.locator(".state")).to_have_text("closed: actioned by op1 · ref LOG-0412")
    page.locator("#alert-filters select[name=state]").select_option("closed")
    expect(theirs.locator(".state")).to_have_text("closed: actioned by op1 · ref LOG-0412", timeout=5_000)
    expect(mine.get_by_role("button", name="Record")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "alerts-closed.png"), full_page=True)

    # A console that missed the change (its stream cut) shows the server's refusal, not a success.
    stale_ctx = page.context.browser.new_context()  # type: ignore[union-attr]
    stale = stale_ctx.new_page()
    login(stale, base, "admin")
    page.locator("#alert-filters select[name=state]").select_option("")
    _alert_for(pub, "LB07SEO", "S04")
    first = page.locator("article.alert").filter(has_text="Report sighting only")
    expect(first).to_be_visible(timeout=5_000)
    stale.route("**/api/alerts/stream", lambda route: route.abort())
    stale.goto(f"{base}/alerts")
    late = stale.locator("article.alert").filter(has_text="Report sighting only")
    expect(late).to_be_visible()
    first.get_by_label("Disposition").select_option("misread")
    first.get_by_role("button", name="Record").click()
    expect(first.locator(".state")).to_contain_text("closed: misread by op1")
    late.get_by_label("Disposition").select_option("confirmed")
    late.get_by_role("button", name="Record").click()
    expect(late.locator(".msg")).to_contain_text("already closed: closed as misread by op1")
    expect(late.locator(".state")).to_have_text("closed: misread by op1")
    # The supervisor (here admin) may reopen it; the operator's console sees it open again.
    late.get_by_role("button", name="Reopen").click()
    expect(first.locator(".state")).to_have_text("acknowledged by op1", timeout=5_000)
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    other_ctx.close()
    stale_ctx.close()


def test_banner_title_count_and_notification_permission_on_every_page(console: dict, page: Page) -> None:
    base, pub = console["url"], console["pub"]
    login(page, base, "op1")
    page.goto(f"{base}/sites")
    notify = page.get_by_role("button", name="Enable desktop notifications")
    expect(notify).to_be_visible()  # asked for once, by a click (browsers require one)
    expect(page.get_by_role("button", name="Enable sound")).to_be_visible()
    page.wait_for_timeout(500)  # the stream is open
    _alert_for(pub)
    banner = page.locator("#banner .banner-item.p1")
    expect(banner).to_contain_text("KX19PLM", timeout=5_000)
    expect(page).to_have_title("(1) Sites · ANPR console")
    page.screenshot(path=str(SHOTS / "banner-on-sites.png"))
    page.context.grant_permissions(["notifications"], origin=base)
    page.reload()
    expect(page.get_by_role("button", name="Enable desktop notifications")).to_be_hidden()
    expect(page).to_have_title("(1) Sites · ANPR console")  # the count survives a reload
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_logout_elsewhere_ends_the_live_stream_and_sends_the_page_to_login(console: dict, page: Page) -> None:
    """B5 and B6: a logged-out console kept receiving alerts, and its buttons failed silently."""
    base, pub = console["url"], console["pub"]
    login(page, base, "op1")
    page.goto(f"{base}/alerts")
    expect(page.locator("#live")).to_have_text("live", timeout=10_000)
    tab2 = page.context.new_page()
    tab2.goto(f"{base}/sites")
    tab2.get_by_role("button", name="Log out").click()
    tab2.wait_for_url("**/login")
    page.wait_for_url("**/login?expired=1", timeout=10_000)
    expect(page.get_by_role("status")).to_contain_text("Your session has ended")
    _alert_for(pub)
    page.wait_for_timeout(1000)
    assert page.locator("article.alert").count() == 0
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_search_export_downloads_a_csv_with_reason_and_case_reference(console: dict, page: Page) -> None:
    """B1: Export CSV answered a raw 422 page."""
    base, db = console["url"], console["db"]
    login(page, base, "admin")
    page.goto(f"{base}/search")
    page.get_by_label("VRM").fill("AB51ABC")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table")).to_contain_text("S07")
    page.get_by_label("Reason").fill("robbery enquiry")
    page.get_by_label("Case reference").fill("OP-HALO/17")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export CSV").click()
    text = Path(dl.value.path()).read_text()
    lines = text.strip().splitlines()
    assert lines[0].startswith("read_id,") and lines[0].endswith("site_name,lat,lon") and len(lines) == 3
    assert dl.value.suggested_filename == "reads-OP-HALO_17.csv"
    (reason,) = db.execute("SELECT detail->>'case_ref' FROM audit_log WHERE action = 'export'").fetchone()
    assert reason == "OP-HALO/17"


def test_hotlist_upload_keeps_the_lists_settings_and_a_new_list_is_confirmed(
    console: dict, page: Page, tmp_path: Path
) -> None:
    """B4: an upload left at the form's P5 reset a P1 list; a typo made a new list silently."""
    base, db = console["url"], console["db"]
    csv_file = tmp_path / "pnc.csv"
    csv_file.write_text("vrm,action\nKX19PLM,Stop and check occupants\nAB12CDE,Report\n")
    login(page, base, "admin")
    page.goto(f"{base}/hotlists")
    form = page.locator("#upload")
    form.get_by_label("List").select_option("PNC-extract")
    expect(page.locator("#list-settings")).to_contain_text("P1")
    form.get_by_label("File (CSV or VOI JSONL)").set_input_files(str(csv_file))
    form.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-result")).to_contain_text('"revision":2')
    assert db.execute("SELECT priority, owner FROM hotlists WHERE name = 'PNC-extract'").fetchone() == (
        1,
        "PNC",
    )
    # Its history: what the upload changed, and a rollback to the revision before.
    page.goto(f"{base}/hotlists")
    page.get_by_role("link", name="PNC-extract").click()
    rev2 = page.locator('#revisions tr[data-revision="2"]')
    expect(rev2).to_contain_text("current")
    expect(rev2).to_contain_text("added AB12CDE")
    expect(rev2).to_contain_text("removed LB07SEO")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Roll back to 1").click()
    expect(page.locator("#rollback-result")).to_have_text("Revision 3 now holds revision 1's entries.")
    page.screenshot(path=str(SHOTS / "hotlist-history.png"), full_page=True)
    # The list's card colour and sound, set on their own.
    page.goto(f"{base}/hotlists")
    edit = page.locator("#list-edit")
    edit.get_by_label("List").select_option("PNC-extract")
    edit.get_by_label("Card colour").fill("#1e90ff")
    edit.get_by_label("Sound").select_option("siren")
    edit.get_by_role("button", name="Save settings").click()
    expect(page.locator("#edit-result")).to_have_text("Saved.")
    assert db.execute(
        "SELECT priority, colour, sound FROM hotlists WHERE name = 'PNC-extract'"
    ).fetchone() == (
        1,
        "#1e90ff",
        "siren",
    )
    page.goto(f"{base}/hotlists")
    form.get_by_label("List").select_option("")
    form.get_by_label("Name").fill("ANPR-local")
    form.get_by_label("File (CSV or VOI JSONL)").set_input_files(str(csv_file))
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    form.get_by_role("button", name="Upload").click()
    page.wait_for_timeout(300)
    assert asked and "new list" in asked[0]
    assert db.execute("SELECT count(*) FROM hotlists WHERE name = 'ANPR-local'").fetchone() == (0,)
    page.screenshot(path=str(SHOTS / "hotlists-upload.png"), full_page=True)


def test_long_values_do_not_widen_the_page_and_errors_are_pages(console: dict, page: Page) -> None:
    """B7 (a 5,000-character VRM made the audit page 45,577 px wide) and B8 (raw JSON errors)."""
    base = console["url"]
    login(page, base, "admin")
    page.goto(f"{base}/search?vrm={'A' * 5000}")
    page.goto(f"{base}/audit")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    for path, status, text in (
        ("/sites/S999", 404, "There is no site S999."),
        ("/nope", 404, "There is no page at /nope."),
        (
            "/search?vrm=X&authorisation_id=abc",
            200,
            "authorisation no.: 'abc' is not an authorisation number",
        ),
    ):
        resp = page.goto(base + path)
        assert resp is not None and resp.status == status, path
        expect(page.locator("main")).to_contain_text(text)
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.goto(f"{base}/logout")  # GET is not a logout
    page.context.clear_cookies()
    login(page, base, "op1")
    resp = page.goto(f"{base}/audit")
    assert resp is not None and resp.status == 403
    expect(page.locator("main")).to_contain_text("for auditors")
    page.screenshot(path=str(SHOTS / "error-page.png"))


def test_every_page_fits_a_phone(console: dict, page: Page) -> None:
    base = console["url"]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "admin")
    for path in (
        "/alerts",
        "/sites",
        "/sites/S01",
        "/map",
        "/search?vrm=AB51ABC&convoy=1",
        "/access",
        "/hotlists",
        "/audit",
        "/login",
    ):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390"
    page.goto(f"{base}/sites")
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "phone-sites.png"))


def test_evidence_read_page_preserve_and_extended_access_flow(console: dict, page: Page) -> None:
    base, db = console["url"], console["db"]
    auth.create_user(db, "sup1", PASSWORD, "supervisor", extended=True)
    # An old read, 200 days back: only an authorised search reaches it.
    old_at = datetime.now(UTC) - timedelta(days=200)
    old = make_read(
        vrm="AB51ABC",
        site="S09",
        camera="S09-C1",
        captured_at=old_at,
        read_id=uuid7(int(old_at.timestamp() * 1000)),
        plate_jpeg=_jpeg("AB51 ABC", 120, 30, (230, 230, 230)),
        overview_jpeg=_jpeg("S09", 320, 180, (90, 90, 90)),
    )
    process(
        db,
        [Incoming(topics.read_topic("S09", "S09-C1"), encode(old), datetime.now(UTC))],
        {"S09-C1": "S09"},
        None,
    )

    login(page, base, "sup1")
    page.goto(f"{base}/access")
    page.get_by_label("Reason").fill("robbery series, vehicle sightings")
    page.get_by_label("Case reference").fill("OP-ASH-22")
    page.get_by_role("button", name="Send request").click()
    row = page.locator("#requests tbody tr").first
    expect(row).to_contain_text("pending", timeout=5_000)
    row.get_by_label("Inspector").fill("Insp. Patel 4411")
    row.get_by_role("button", name="Grant").click()
    expect(page.locator("#requests tbody tr").first).to_contain_text("granted by sup1", timeout=5_000)
    auth_no = page.locator("#requests tbody tr").first.locator("td").nth(6).inner_text().split()[0]
    page.screenshot(path=str(SHOTS / "extended-access.png"), full_page=True)

    since = old_at.strftime("%Y-%m-%dT00:00")
    page.goto(f"{base}/search?vrm=AB51ABC&since={since}&authorisation_id={auth_no}")
    expect(page.locator("table")).to_contain_text("S09")
    page.locator("table a", has_text="AB51ABC").first.click()
    page.wait_for_url("**/reads/**")
    expect(page.locator("h1")).to_contain_text("AB51ABC")
    expect(page.locator(".plate-box")).to_be_visible()  # the plate boxed on the overview
    page.get_by_label("Case reference").fill("OP-ASH-22")
    page.get_by_role("button", name="Preserve").click()
    expect(page.locator("#preserve-result")).to_have_text("Preserved.")
    page.reload()
    expect(page.locator("#preserved")).to_contain_text("OP-ASH-22")
    expect(page.locator("table").last).to_contain_text("read.preserve")  # who did what to it
    expect(page.locator("table").last).to_contain_text("sup1")
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "read-evidential-report.png"), full_page=True)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # the printed report
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_map_shows_every_site_a_route_and_alerts_without_a_tile_server(console: dict, page: Page) -> None:
    base, pub = console["url"], console["pub"]
    login(page, base, "admin")
    page.goto(f"{base}/map?vrm=AB51ABC")
    expect(page.locator("#map")).to_have_attribute("data-sites", "61", timeout=10_000)
    assert page.locator("path.site-marker").count() == 61
    assert page.locator("path.grid-line").count() > 4  # the coordinate background
    # The vehicle's two sightings (S07, then S01) as a route with times.
    expect(page.locator("#map")).to_have_attribute("data-route", "2")
    expect(page.locator("path.route-line")).to_have_count(1)
    expect(page.locator("#route-result")).to_have_text("2 sighting(s) of AB51ABC")
    page.wait_for_timeout(500)  # the live stream is open
    _alert_for(pub, "KX19PLM", "S03")
    expect(page.locator("path.site-S03.pulse")).to_have_count(1, timeout=5_000)
    page.screenshot(path=str(SHOTS / "map.png"))
    login_page = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    login(login_page, base, "op1")  # operators do not see camera locations
    resp = login_page.goto(f"{base}/map")
    assert resp is not None and resp.status == 403
    assert not page.errors, page.errors  # type: ignore[attr-defined]
