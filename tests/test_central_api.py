"""Search, access, audit and authentication through the HTTP API, against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from anpr.ids import uuid7
from central import audit, auth, store
from central.api import create_app
from central.ingest_batch import Incoming, process
from central.registry import CameraEntry, SiteEntry, import_sites
from tests.factories import make_read

PASSWORD = "correct horse battery"


@pytest.fixture()
def env(database_url: str) -> Iterator[tuple[TestClient, psycopg.Connection]]:
    conn = store.connect(database_url)
    store.migrate(conn)
    import_sites(
        conn,
        [
            SiteEntry(
                site_id="S01",
                name="A38 Northbound",
                lat=52.5,
                lon=-1.9,
                cameras=[CameraEntry(camera_id="S01-C1")],
            ),
            SiteEntry(
                site_id="S02", name="M5 J1", lat=51.5, lon=-0.1, cameras=[CameraEntry(camera_id="S02-C1")]
            ),
        ],
    )
    for name, role, ext in (
        ("op", "operator", False),
        ("sup", "supervisor", True),
        ("aud", "auditor", False),
        ("eng", "engineer", False),
    ):
        auth.create_user(conn, name, PASSWORD, role, ext)
    now = datetime.now(UTC)
    reads = []
    for days, vrm, site in (
        (1, "AB51ABC", "S01"),
        (10, "AB51ABC", "S02"),
        (120, "AB51ABC", "S01"),
        (2, "OB51ABC", "S01"),
        (3, "XY19ZZZ", "S01"),
    ):
        t = now - timedelta(days=days)
        reads.append(
            make_read(
                vrm=vrm,
                site=site,
                camera=f"{site}-C1",
                captured_at=t,
                read_id=uuid7(int(t.timestamp() * 1000)),
            )
        )
    from anpr.protocol import encode, topics

    process(
        conn,
        [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), now) for r in reads],
        {"S01-C1": "S01", "S02-C1": "S02"},
        None,
    )
    app = create_app(database_url)
    with TestClient(app) as client:
        yield client, conn
    conn.close()


def login(client: TestClient, user: str) -> dict:
    r = client.post("/api/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_everything_but_healthz_needs_login(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert client.get("/healthz").status_code == 200
    for path in (
        "/api/alerts",
        "/api/sites",
        "/api/search?vrm=AB51ABC",
        "/openapi.json",
        "/docs",
        "/metrics",
        "/api/audit",
        "/api/hotlists",
    ):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/login", json={"username": "op", "password": "wrong-password"}).status_code == 401


def test_search_modes_and_the_90_day_rule(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    h = login(client, "op")
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    exact = client.get("/api/search", params={"vrm": "ab51 abc", "since": since}, headers=h).json()
    assert sorted(r["site_id"] for r in exact) == ["S01", "S02"]
    lenient = client.get(
        "/api/search", params={"vrm": "AB5IA8C", "mode": "lenient", "since": since}, headers=h
    ).json()
    assert sorted(r["vrm"] for r in lenient) == ["AB51ABC", "AB51ABC"]  # I≡1, 8≡B
    zero = client.get("/api/search", params={"vrm": "0B51ABC", "mode": "lenient", "since": since}, headers=h)
    assert [r["vrm"] for r in zero.json()] == ["OB51ABC"]  # 0≡O, but A is no O
    wild = client.get(
        "/api/search", params={"vrm": "XY*", "mode": "wildcard", "since": since}, headers=h
    ).json()
    assert [r["vrm"] for r in wild] == ["XY19ZZZ"]
    sites = client.get(
        "/api/search", params={"vrm": "AB51ABC", "since": since, "sites": "S02"}, headers=h
    ).json()
    assert [r["site_id"] for r in sites] == ["S02"]

    old = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    refused = client.get("/api/search", params={"vrm": "AB51ABC", "since": old}, headers=h)
    assert refused.status_code == 403 and "90 days" in refused.json()["detail"]
    # The supervisor has extended access but still needs an authorisation record.
    hs = login(client, "sup")
    assert client.get("/api/search", params={"vrm": "AB51ABC", "since": old}, headers=hs).status_code == 403
    expired = client.post(
        "/api/authorisations",
        headers=hs,
        json={
            "username": "sup",
            "authoriser": "Insp. Patel 4411",
            "reason": "serious crime",
            "case_ref": "OP-ASH-22",
            "expires_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
    ).json()["authorisation_id"]
    r = client.get(
        "/api/search", params={"vrm": "AB51ABC", "since": old, "authorisation_id": expired}, headers=hs
    )
    assert r.status_code == 403 and "expired" in r.json()["detail"]
    good = client.post(
        "/api/authorisations",
        headers=hs,
        json={
            "username": "sup",
            "authoriser": "Insp. Patel 4411",
            "reason": "serious crime",
            "case_ref": "OP-ASH-22",
            "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        },
    ).json()["authorisation_id"]
    r = client.get(
        "/api/search", params={"vrm": "AB51ABC", "since": old, "authorisation_id": good}, headers=hs
    )
    assert r.status_code == 200 and len(r.json()) == 3
    actions = [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions.count("search.refused") == 3 and actions.count("search") >= 5
    assert "authorisation.create" in actions


def test_camera_locations_only_for_authorised_roles(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    op = client.get("/api/sites", headers=login(client, "op")).json()
    eng = client.get("/api/sites", headers=login(client, "eng")).json()
    assert "lat" not in op[0] and eng[0]["lat"] == 52.5
    assert client.get("/api/search", params={"vrm": "X"}, headers=login(client, "eng")).status_code == 403


def test_audit_trail_is_append_only_and_chained(env, database_url: str) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    h = login(client, "op")
    client.get("/api/search", params={"vrm": "AB51ABC"}, headers=h)
    body = client.get("/api/audit", headers=login(client, "aud")).json()
    assert body["chain"]["ok"] and body["chain"]["rows"] >= 3
    assert client.get("/api/audit", headers=h).status_code == 403
    # The service's own connections run as the application role ...
    with client.app.state.pool.connection() as served:
        assert served.execute("SELECT current_user").fetchone()[0] == "anpr_app"  # type: ignore[index]
    # ... which cannot change history ...
    app_conn = psycopg.connect(database_url, autocommit=True)
    app_conn.execute("SET ROLE anpr_app")
    for sql in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_conn.execute(sql)
    app_conn.execute("SELECT count(*) FROM audit_log")  # ... but may read and append
    audit.record(app_conn, "op", "test.append", {"x": 1})
    app_conn.close()
    # ... and not even the owner can, because of the trigger.
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    # A tampered row (trigger bypassed by a superuser) breaks the chain at that row.
    conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
    conn.execute('UPDATE audit_log SET detail = \'{"vrm": "XX"}\' WHERE seq = 2')
    conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
    check = audit.verify(conn)
    assert not check.ok and check.first_bad_seq == 2


def test_repeat_hits_fold_into_the_open_alert_with_a_count(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    from anpr.protocol import encode, topics
    from hotlists.formats import HotlistEntry
    from hotlists.loader import build_index, load_revision

    load_revision(conn, "local", [HotlistEntry(vrm="ZZ11ZZZ", action="Stop")])
    index = build_index(conn)
    now = datetime.now(UTC)

    def seen(minutes_ago: float, site: str = "S01") -> list:
        at = now - timedelta(minutes=minutes_ago)
        r = make_read(
            vrm="ZZ11ZZZ",
            site=site,
            camera=f"{site}-C1",
            captured_at=at,
            read_id=uuid7(int(at.timestamp() * 1000)),
        )
        incoming = [Incoming(topics.read_topic(site, f"{site}-C1"), encode(r), now)]
        return process(conn, incoming, {"S01-C1": "S01", "S02-C1": "S02"}, index).alerts

    [first] = seen(3)
    assert seen(2, "S02") == [] and seen(1) == []  # the same vehicle twice more: no new alert
    h = login(client, "op")
    [card] = [a for a in client.get("/api/alerts", headers=h).json() if a["alert_id"] == str(first.alert_id)]
    assert card["repeats"] == 2 and card["last_hit_at"].startswith(str((now - timedelta(minutes=1)).date()))
    assert (
        conn.execute("SELECT count(*) FROM hits WHERE vrm_listed = 'ZZ11ZZZ'").fetchone()[0] == 3
    )  # every hit kept
    # The list's colour and sound travel with its alerts to the console.
    assert (card["list_colour"], card["list_sound"]) == ("", "beep")
    sup = login(client, "sup")
    assert client.put("/api/hotlists/local/settings", json={"colour": "red"}, headers=sup).status_code == 422
    put = client.put(
        "/api/hotlists/local/settings", json={"colour": "#1e90ff", "sound": "siren"}, headers=sup
    )
    assert put.status_code == 200 and put.json()["priority"] == 5  # what was not sent is kept
    [card] = [a for a in client.get("/api/alerts", headers=h).json() if a["alert_id"] == str(first.alert_id)]
    assert (card["list_colour"], card["list_sound"]) == ("#1e90ff", "siren")
    # Once the alert is closed, the next sighting is a new alert.
    client.post(f"/api/alerts/{first.alert_id}/disposition", json={"disposition": "actioned"}, headers=h)
    assert len(seen(0.5)) == 1


def test_alert_disposition_is_recorded(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    from hotlists.formats import HotlistEntry
    from hotlists.loader import build_index, load_revision

    load_revision(conn, "local", [HotlistEntry(vrm="ZZ11ZZZ", action="Stop")])
    r = make_read(vrm="ZZ11ZZZ", site="S01", camera="S01-C1")
    from anpr.protocol import encode, topics

    res = process(
        conn,
        [Incoming(topics.read_topic("S01", "S01-C1"), encode(r), datetime.now(UTC))],
        {"S01-C1": "S01"},
        build_index(conn),
    )
    alert_id = str(res.alerts[0].alert_id)
    h, sup = login(client, "op"), login(client, "sup")
    got = client.post(f"/api/alerts/{alert_id}/ack", headers=h).json()
    assert got["ok"] and got["alert"]["state"] == "acknowledged" and got["alert"]["acknowledged_by"] == "op"
    # A second console's Acknowledge is refused with the alert as it stands (B3).
    again = client.post(f"/api/alerts/{alert_id}/ack", headers=sup)
    assert again.status_code == 409 and again.json()["detail"] == "already taken: acknowledged by op"
    bad = client.post(f"/api/alerts/{alert_id}/disposition", json={"disposition": "maybe"}, headers=h)
    assert bad.status_code == 422
    assert client.post(f"/api/alerts/{alert_id}/disposition", json={}, headers=h).status_code == 422
    done = client.post(
        f"/api/alerts/{alert_id}/disposition",
        json={"disposition": "confirmed", "incident_ref": "LOG 0412", "note": "stopped on the A12"},
        headers=h,
    )
    assert done.status_code == 200 and done.json()["alert"]["incident_ref"] == "LOG 0412"
    # A closed alert's disposition is final (B2): a second one, from any console, is refused ...
    for who in (h, sup):
        late = client.post(
            f"/api/alerts/{alert_id}/disposition", json={"disposition": "misread"}, headers=who
        )
        assert late.status_code == 409 and late.json()["alert"]["disposition"] == "confirmed"
    # ... unless a supervisor reopens it (an operator may not), which is audited.
    assert client.post(f"/api/alerts/{alert_id}/reopen", headers=h).status_code == 403
    assert (
        client.post(f"/api/alerts/{alert_id}/reopen", headers=sup).json()["alert"]["state"] == "acknowledged"
    )
    assert conn.execute("SELECT detail->>'was' FROM audit_log WHERE action = 'alert.reopen'").fetchone() == (
        "confirmed",
    )
    assert (
        client.post(
            f"/api/alerts/{alert_id}/disposition", json={"disposition": "confirmed"}, headers=h
        ).status_code
        == 200
    )
    listed = {a["alert_id"]: a for a in client.get("/api/alerts", headers=h).json()}
    assert listed[alert_id]["disposition"] == "confirmed" and listed[alert_id]["disposed_by"] == "op"
    assert client.get(f"/api/reads/{r.read_id}/plate.jpg", headers=h).content.startswith(b"\xff\xd8")


def test_csv_export_is_audited_and_role_bound(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    assert (
        client.get(
            "/api/export.csv", params={"vrm": "AB51ABC", "since": since}, headers=login(client, "op")
        ).status_code
        == 403
    )
    sup = login(client, "sup")
    # The console's form sends every field, empty ones included (B1: they were refused with 422).
    form = {
        "vrm": "AB51ABC",
        "mode": "exact",
        "since": since,
        "until": "",
        "sites": "",
        "authorisation_id": "",
    }
    assert client.get("/api/export.csv", params=form, headers=sup).status_code == 422  # no reason given
    r = client.get(
        "/api/export.csv", params={**form, "reason": "robbery enquiry", "case_ref": "OP/123"}, headers=sup
    )
    lines = r.text.strip().splitlines()
    assert r.status_code == 200 and lines[0].startswith("read_id,") and len(lines) == 3
    assert lines[0].endswith(",site_name,lat,lon") and "OP_123" in r.headers["content-disposition"]
    rows, why, ref = conn.execute(
        "SELECT detail->>'rows', detail->>'reason', detail->>'case_ref' FROM audit_log WHERE action = 'export'"
    ).fetchone()
    assert (rows, why, ref) == ("2", "robbery enquiry", "OP/123")
    bad = client.get("/api/search", params={**form, "authorisation_id": "abc"}, headers=sup)
    assert bad.status_code == 422 and "authorisation no." in bad.json()["detail"]


def test_a_hotlist_upload_never_changes_the_lists_settings(env) -> None:  # type: ignore[no-untyped-def]
    """B4: an upload left at the form's P5 reset a P3 exact list, and a typo started a new list."""
    client, conn = env
    sup = login(client, "sup")
    csv_text = "vrm,action\nAB51ABC,Stop\n"
    made = client.post(
        "/api/hotlists/FIB",
        params={"create": "true", "priority": 3, "match_mode": "exact", "owner": "FIB"},
        content=csv_text,
        headers=sup,
    )
    assert made.status_code == 200 and made.json()["created"]
    before = {h["name"]: h for h in client.get("/api/hotlists", headers=sup).json()}["FIB"]
    assert (before["priority"], before["match_mode"], before["owner"]) == (3, "exact", "FIB")
    again = client.post("/api/hotlists/FIB", content=csv_text + "KX19PLM,Report\n", headers=sup)
    assert again.status_code == 200 and again.json()["revision"] == 2
    downgrade = client.post("/api/hotlists/FIB", params={"priority": 5}, content=csv_text, headers=sup)
    assert downgrade.status_code == 409 and "settings" in downgrade.json()["detail"]
    typo = client.post("/api/hotlists/FBI", content=csv_text, headers=sup)
    assert typo.status_code == 404 and "create=true" in typo.json()["detail"]
    after = {h["name"]: h for h in client.get("/api/hotlists", headers=sup).json()}
    assert "FBI" not in after and after["FIB"]["priority"] == 3 and after["FIB"]["revision"] == 2
    assert after["FIB"]["entries"] == 2
    # Settings are changed on their own, and the change is audited with before and after.
    put = client.put(
        "/api/hotlists/FIB/settings", json={"priority": 2, "match_mode": "exact", "owner": "FIB"}, headers=sup
    )
    assert put.status_code == 200 and put.json()["priority"] == 2
    detail = conn.execute("SELECT detail FROM audit_log WHERE action = 'hotlist.settings'").fetchone()[0]
    assert detail["before"]["priority"] == 3 and detail["after"]["priority"] == 2
    assert (
        client.put(
            "/api/hotlists/FIB/settings", json={"priority": 2}, headers=login(client, "op")
        ).status_code
        == 403
    )


def test_search_pages_and_finds_vehicles_travelling_with_the_target(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    from anpr.protocol import encode, topics

    now = datetime.now(UTC)
    reads = []
    for k in range(3):  # the target at S01 and S02, a companion 20-40 s behind it each time
        t = now - timedelta(hours=5 + k)
        site = ("S01", "S02")[k % 2]
        for vrm, lag in (("KX19PLM", 0), ("LB07SEO", 20 + 10 * k), ("MA66NUM", 3600)):
            at = t + timedelta(seconds=lag)
            reads.append(
                make_read(
                    vrm=vrm,
                    site=site,
                    camera=f"{site}-C1",
                    captured_at=at,
                    read_id=uuid7(int(at.timestamp() * 1000)),
                )
            )
    once = now - timedelta(hours=5) + timedelta(seconds=5)  # with it once only
    reads.append(
        make_read(
            vrm="YK68TRV",
            site="S01",
            camera="S01-C1",
            captured_at=once,
            read_id=uuid7(int(once.timestamp() * 1000)),
        )
    )
    process(
        conn,
        [Incoming(topics.read_topic(r.site_id, r.camera_id), encode(r), now) for r in reads],
        {"S01-C1": "S01", "S02-C1": "S02"},
        None,
    )
    h = login(client, "op")
    since = (now - timedelta(days=1)).isoformat()
    together = client.get(
        "/api/travelling-with", params={"vrm": "KX19PLM", "since": since, "within_s": 60}, headers=h
    )
    assert together.status_code == 200
    assert [(c["vrm"], c["times"], c["sites"]) for c in together.json()] == [("LB07SEO", 3, ["S01", "S02"])]
    loose = client.get(
        "/api/travelling-with",
        params={"vrm": "KX19PLM", "since": since, "within_s": 3600, "min_times": 3},
        headers=h,
    ).json()
    assert {c["vrm"] for c in loose} == {"LB07SEO", "MA66NUM"}
    old = (now - timedelta(days=200)).isoformat()
    assert (
        client.get("/api/travelling-with", params={"vrm": "KX19PLM", "since": old}, headers=h).status_code
        == 403
    )
    # Paging: every match is reachable, page by page, newest first.
    wide = (now - timedelta(days=30)).isoformat()
    first = client.get(
        "/api/search", params={"vrm": "*", "mode": "wildcard", "since": wide, "limit": 4}, headers=h
    ).json()
    rest = client.get(
        "/api/search",
        params={"vrm": "*", "mode": "wildcard", "since": wide, "limit": 4, "offset": 4},
        headers=h,
    ).json()
    times, ids = [r["captured_at"] for r in first + rest], {r["read_id"] for r in first + rest}
    assert len(first) == 4 and len(ids) == len(times) == 8 and times == sorted(times, reverse=True)
    detail = conn.execute(
        "SELECT detail FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert detail["offset"] == 4 and detail["total"] >= 8
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'search.convoy'").fetchone()[0] == 2


def test_hotlist_history_diff_and_rollback(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    sup, op = login(client, "sup"), login(client, "op")
    first = "vrm,action\nAB51ABC,Stop\nKX19PLM,Report\n"
    bad = "vrm,action\nAB51ABC,Report only\n"  # an upload that lost an entry and changed one
    assert (
        client.post("/api/hotlists/PNC", params={"create": "true"}, content=first, headers=sup).status_code
        == 200
    )
    assert client.post("/api/hotlists/PNC", content=bad, headers=sup).json()["revision"] == 2
    revs = client.get("/api/hotlists/PNC/revisions", headers=op).json()
    assert [(r["revision"], r["entries"], r["current"]) for r in revs] == [(2, 1, True), (1, 2, False)]
    assert revs[0]["loaded"].startswith("sup at ")
    d = client.get("/api/hotlists/PNC/diff", params={"old": 1, "new": 2}, headers=op).json()
    assert (d["added"], d["removed"], d["changed"]) == ([], ["KX19PLM"], ["AB51ABC"])
    assert client.post("/api/hotlists/PNC/rollback", params={"revision": 1}, headers=op).status_code == 403
    back = client.post("/api/hotlists/PNC/rollback", params={"revision": 1}, headers=sup).json()
    assert back == {"list": "PNC", "revision": 3, "entries_of": 1}
    current = conn.execute(
        "SELECT e.vrm, e.action FROM hotlist_entries e JOIN hotlists h ON h.list_id = e.list_id "
        "AND e.revision = h.current_revision WHERE h.name = 'PNC' ORDER BY e.vrm"
    ).fetchall()
    assert current == [("AB51ABC", "Stop"), ("KX19PLM", "Report")]  # what matching now uses
    assert (
        client.get("/api/hotlists/PNC/diff", params={"old": 1, "new": 3}, headers=op).json()["changed"] == []
    )
    # Only the last three revisions are held: a fourth load lets revision 1 go.
    client.post("/api/hotlists/PNC", content=first, headers=sup)
    assert [r["revision"] for r in client.get("/api/hotlists/PNC/revisions", headers=op).json()] == [4, 3, 2]
    assert client.post("/api/hotlists/PNC/rollback", params={"revision": 1}, headers=sup).status_code == 404
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'hotlist.rollback'").fetchone()[0] == 1


# -- security -------------------------------------------------------------------------------------
def test_failed_logins_are_throttled_and_audited(env) -> None:  # type: ignore[no-untyped-def]
    client, conn = env
    for _ in range(5):
        assert client.post("/api/login", json={"username": "op", "password": "guess"}).status_code == 401
    blocked = client.post("/api/login", json={"username": "op", "password": PASSWORD})
    assert blocked.status_code == 429, "the right password does not help once throttled"
    assert int(blocked.headers["Retry-After"]) > 0
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE actor = 'op' ORDER BY seq")]
    assert actions.count("login.failed") == 5 and actions[-1] == "login.throttled"
    assert client.post("/api/login", json={"username": "sup", "password": PASSWORD}).status_code == 200


def test_cookie_sessions_refuse_cross_site_changes(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    r = client.post("/api/login", json={"username": "op", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    client.cookies.set("anpr_session", r.json()["token"])
    missing = uuid7()
    # A form post (no JSON, no bearer) borrowing the cookie from another site is refused …
    evil = client.post(f"/api/alerts/{missing}/ack", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "cross-site" in evil.text
    assert client.post(f"/api/alerts/{missing}/ack").status_code == 403  # no Origin, no Referer
    # … while the console's own page gets through to the handler (nothing to acknowledge).
    own = client.post(f"/api/alerts/{missing}/ack", headers={"Origin": "http://testserver"})
    assert own.status_code == 404 and own.json() == {"detail": "no such alert"}
    assert client.post("/api/logout", headers={"Origin": "http://testserver"}).status_code == 200


def test_session_cookie_is_secure_when_asked(database_url: str) -> None:
    conn = store.connect(database_url)
    store.migrate(conn)
    auth.create_user(conn, "op", PASSWORD, "operator", False)
    with TestClient(create_app(database_url, secure_cookies=True)) as client:
        r = client.post("/api/login", json={"username": "op", "password": PASSWORD})
        assert "secure" in r.headers["set-cookie"].lower()
    conn.close()


def test_every_api_route_needs_a_login_and_checks_roles(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    app = client.app
    routes = [r for r in app.routes if getattr(r, "path", "").startswith("/api/") and r.path != "/api/login"]  # type: ignore[attr-defined]
    assert len(routes) >= 15
    for route in routes:
        path = route.path.replace("{alert_id}", str(uuid7())).replace("{read_id}", str(uuid7()))
        path = path.replace("{site_id}", "S01").replace("{camera_id}", "S01-C1").replace("{name}", "x")
        path = path.replace("{which}", "plate")
        for method in route.methods - {"HEAD"}:
            got = client.request(method, path, headers={"Origin": "http://testserver"})
            assert got.status_code == 401, f"{method} {path} answered {got.status_code} without a login"
    eng = login(client, "eng")  # an engineer: sites and health, no reads, alerts or audit
    for method, path in (
        ("GET", "/api/search?vrm=AB51ABC"),
        ("GET", "/api/audit"),
        ("GET", "/api/alerts"),
        ("GET", f"/api/reads/{uuid7()}"),
        ("POST", "/api/hotlists/x"),
        ("GET", "/api/export.csv?vrm=AB51ABC"),
    ):
        assert client.request(method, path, headers=eng).status_code == 403, f"{method} {path}"


def test_no_secret_reaches_the_logs(env, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    import logging

    from anpr.mqtt_url import redact

    client, _ = env
    caplog.set_level(logging.DEBUG)
    client.post("/api/login", json={"username": "op", "password": "not-my-password-123"})
    token = client.post("/api/login", json={"username": "sup", "password": PASSWORD}).json()["token"]
    client.get("/api/sites", headers={"Authorization": f"Bearer {token}"})
    text = caplog.text
    assert "not-my-password-123" not in text and PASSWORD not in text and token not in text
    assert redact("mqtt://S01-A1:s3cret@broker:1883") == "mqtt://S01-A1:***@broker:1883"
    assert "s3cret" not in redact("mqtts://u:s3cret@h")


def test_schemathesis_finds_no_server_error_and_no_open_route(env) -> None:  # type: ignore[no-untyped-def]
    """Property-based requests from the OpenAPI document, with and without a login: never a 5xx,
    and never anything but 401 without one."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    client, _ = env
    app = client.app
    admin = login(client, "sup")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=admin)
    tried = {"with": 0, "without": 0}
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path == "/api/login":
            continue

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(case=op.as_strategy())
        def check(case) -> None:  # type: ignore[no-untyped-def]
            anon = case.call(headers={"Authorization": ""})
            assert anon.status_code == 401, f"{case.method} {case.formatted_path} open: {anon.status_code}"
            authed = case.call(headers=admin)
            assert authed.status_code < 500, f"{case.method} {case.formatted_path}: {authed.text[:300]}"
            tried["with"] += 1
            tried["without"] += 1

        check()
    assert tried["with"] >= 100
