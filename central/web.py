"""The operator console: server-rendered pages (Jinja2) on top of the JSON API, live alerts and
camera states over server-sent events. No front-end build step."""

import json
import os
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode, urlsplit
from uuid import UUID

import psycopg
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import alerts as alerts_mod
from central import audit, auth, authorisations, reads, reports, search
from central.api import SESSION_COOKIE, create_app, set_session_cookie
from central.auth import User
from hotlists import history
from hotlists.loader import stale_lists

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

ERROR_TITLES = {403: "Not for your role", 404: "Not found", 422: "Not understood"}

PAGES = [
    ("alerts", "Live alerts", "alerts"),
    ("sites", "Sites", "sites"),
    ("map", "Map", "locations"),
    ("search", "Search", "search"),
    ("hotlists", "Hotlists", "hotlists.view"),
    ("access", "Extended access", "search"),
    ("audit", "Audit", "audit"),
]


def create_web_app(database_url: str, secure_cookies: bool = False) -> FastAPI:
    app = create_app(database_url, secure_cookies)
    pool = app.state.pool
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def db():  # type: ignore[no-untyped-def]
        with pool.connection() as conn:
            yield conn

    Db = Annotated[psycopg.Connection, Depends(db)]

    def page_user(request: Request, conn: Db) -> User:
        user = auth.user_for(conn, request.cookies.get(SESSION_COOKIE))
        if user is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return user

    PageUser = Annotated[User, Depends(page_user)]

    def render(request: Request, name: str, user: User | None, **ctx: object) -> HTMLResponse:
        nav = [(p, t) for p, t, perm in PAGES if user and user.can(perm)]
        return templates.TemplateResponse(request, name, {"user": user, "nav": nav, **ctx})

    @app.get("/", include_in_schema=False)
    def home(request: Request, conn: Db) -> Response:
        user = auth.user_for(conn, request.cookies.get(SESSION_COOKIE))
        if user is None:
            return RedirectResponse("/login", 303)
        first = next((p for p, _, perm in PAGES if user.can(perm)), "sites")
        return RedirectResponse(f"/{first}", 303)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, expired: str = "") -> HTMLResponse:
        notice = "Your session has ended. Log in again to carry on." if expired else None
        return render(request, "login.html", None, error=None, notice=notice)

    @app.exception_handler(StarletteHTTPException)
    async def console_error(request: Request, exc: StarletteHTTPException) -> Response:
        # The API answers JSON; a console page answers a page with the navigation.
        if request.url.path.startswith(("/api/", "/static/", "/metrics", "/healthz", "/openapi")):
            return await http_exception_handler(request, exc)
        if 300 <= exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        with pool.connection() as conn:
            user = auth.user_for(conn, request.cookies.get(SESSION_COOKIE))
        title = ERROR_TITLES.get(exc.status_code, "Something went wrong")
        message = exc.detail if exc.detail != "Not Found" else f"There is no page at {request.url.path}."
        resp = render(request, "error.html", user, status=exc.status_code, title=title, message=message)
        resp.status_code = exc.status_code
        return resp

    @app.post("/login", include_in_schema=False)
    def login_post(
        request: Request, conn: Db, username: str = Form(...), password: str = Form(...)
    ) -> Response:
        try:
            got = app.state.login(request, conn, username, password, "console")
        except HTTPException as exc:
            resp = render(request, "login.html", None, error=f"Too many failed logins. {exc.detail}.")
            resp.status_code = exc.status_code
            return resp
        if got is None:
            return render(request, "login.html", None, error="Wrong username or password.")
        _, token = got
        resp = RedirectResponse("/", 303)
        set_session_cookie(resp, token, secure_cookies or request.url.scheme == "https")
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout_post(request: Request, conn: Db) -> Response:
        if tok := request.cookies.get(SESSION_COOKIE):
            auth.logout(conn, tok)
        resp = RedirectResponse("/login", 303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @app.get("/alerts", include_in_schema=False)
    def alerts_page(request: Request, user: PageUser, conn: Db) -> HTMLResponse:
        if not user.can("alerts"):
            raise HTTPException(403, "Live alerts are for operators and supervisors.")
        rows = conn.execute(
            "SELECT alert_id FROM alerts ORDER BY state = 'new' DESC, priority, created_at DESC LIMIT 100"
        ).fetchall()
        items = [alerts_mod.alert_message(conn, str(r[0])) for r in rows]
        # Cards are drawn by console.js from this data, as the live stream's are: one renderer.
        items = json.loads(json.dumps(items, default=str))
        return render(request, "alerts.html", user, alerts=items, dispositions=alerts_mod.DISPOSITIONS)

    @app.get("/sites", include_in_schema=False)
    def sites_page(request: Request, user: PageUser, conn: Db, filter: str = "") -> HTMLResponse:
        now = datetime.now(UTC)
        hour = now.replace(minute=0, second=0, microsecond=0)
        rows = conn.execute(
            "SELECT s.site_id, s.name, s.area, count(c.camera_id), "
            "count(*) FILTER (WHERE cs.state = 'DOWN'), count(*) FILTER (WHERE cs.state = 'DEGRADED'), "
            "count(*) FILTER (WHERE cs.state = 'MAINTENANCE'), "
            "(SELECT COALESCE(sum(reads), 0) FROM read_rollup_hourly r JOIN cameras c2 USING (camera_id) "
            " WHERE c2.site_id = s.site_id AND r.hour = %s), "
            "(SELECT COALESCE(sum(reads), 0) / 4.0 FROM read_rollup_hourly r JOIN cameras c2 USING (camera_id) "
            " WHERE c2.site_id = s.site_id AND r.hour = ANY(%s)), "
            "(SELECT count(*) FROM incidents i WHERE i.site_id = s.site_id AND i.ended_at IS NULL) "
            "FROM sites s JOIN cameras c USING (site_id) JOIN camera_state cs USING (camera_id) "
            "GROUP BY s.site_id ORDER BY s.site_id",
            (hour, [hour - timedelta(weeks=k) for k in range(1, 5)]),
        ).fetchall()
        avail = _availability(conn, now)
        sites = []
        for sid, name, area, n, down, degraded, maint, reads_hour, usual, open_inc in rows:
            state = "DOWN" if down else "DEGRADED" if degraded else "MAINTENANCE" if maint else "UP"
            if filter and state != filter.upper():
                continue
            sites.append(
                {
                    "site_id": sid,
                    "name": name,
                    "area": area,
                    "cameras": n,
                    "state": state,
                    "down": down,
                    "reads_hour": int(reads_hour),
                    "usual": float(usual),
                    "open_incidents": open_inc,
                    **avail.get(sid, {}),
                }
            )
        counts = {
            s: sum(1 for x in rows if _state(x) == s) for s in ("UP", "DEGRADED", "DOWN", "MAINTENANCE")
        }
        return render(
            request, "sites.html", user, sites=sites, counts=counts, filter=filter.upper(), total=len(rows)
        )

    @app.get("/sites/{site_id}", include_in_schema=False)
    def site_page(site_id: str, request: Request, user: PageUser, conn: Db) -> HTMLResponse:
        try:
            rep = reports.site_report(conn, site_id, timedelta(days=7))
        except LookupError:
            raise HTTPException(404, f"There is no site {site_id}.") from None
        incidents = conn.execute(
            "SELECT camera_id, state, cause, started_at, ended_at FROM incidents "
            "WHERE site_id = %s ORDER BY started_at DESC LIMIT 50",
            (site_id,),
        ).fetchall()
        heartbeats = conn.execute(
            "SELECT received_at, agent_id FROM heartbeats WHERE site_id = %s "
            "ORDER BY received_at DESC LIMIT 20",
            (site_id,),
        ).fetchall()
        # Each agent's outbox as its last heartbeat told it: reads held until central confirms them.
        outboxes = conn.execute(
            "SELECT DISTINCT ON (agent_id) agent_id, received_at, payload->'outbox' FROM heartbeats "
            "WHERE site_id = %s AND received_at > now() - interval '1 day' ORDER BY agent_id, received_at DESC",
            (site_id,),
        ).fetchall()
        loc = conn.execute("SELECT lat, lon FROM sites WHERE site_id = %s", (site_id,)).fetchone()
        hourly = [(h.strftime("%a %H:%M"), n) for h, n in rep.hourly[-48:]]
        baseline = _baseline(conn, site_id, [h for h, _ in rep.hourly[-48:]])
        return render(
            request,
            "site.html",
            user,
            rep=rep,
            incidents=incidents,
            heartbeats=heartbeats,
            outboxes=outboxes,
            location=loc if user.can("locations") else None,
            hourly=hourly,
            baseline=baseline,
        )

    @app.get("/search", include_in_schema=False)
    def search_page(
        request: Request,
        user: PageUser,
        conn: Db,
        vrm: str = "",
        mode: str = "exact",
        since: str = "",
        until: str = "",
        sites: str = "",
        authorisation_id: str = "",
        offset: int = 0,
        within_s: int = 60,
        min_times: int = 2,
        convoy: str = "",
    ) -> HTMLResponse:
        page, companions, error, refused = None, None, None, False
        if vrm:
            try:
                q = search.query_from_form(vrm, mode, since, until, sites, authorisation_id, 200, offset)
                page = search.search_page(conn, user, q)
                if convoy:
                    companions = search.travelling_with(conn, user, q, within_s, min_times)
            except search.SearchRefused as exc:
                error, refused = str(exc), True
            except ValueError as exc:
                error = str(exc)
        q_form = {
            "vrm": vrm,
            "mode": mode,
            "since": since,
            "until": until,
            "sites": sites,
            "authorisation_id": authorisation_id,
        }
        return render(
            request,
            "search.html",
            user,
            page=page,
            companions=companions,
            convoy={"within_s": within_s, "min_times": min_times, "on": bool(convoy)},
            error=error,
            refused=refused,
            q=q_form,
            query=urlencode({k: v for k, v in q_form.items() if v}),
        )

    @app.get("/reads/{read_id}", include_in_schema=False)
    def read_page(read_id: UUID, request: Request, user: PageUser, conn: Db) -> HTMLResponse:
        if not user.can("reads"):
            raise HTTPException(403, "Reads are for operators, supervisors and administrators.")
        detail = reads.read_detail(conn, str(read_id))
        if detail is None:
            raise HTTPException(404, "There is no such read (it may have passed retention).")
        audit.record(conn, user.username, "read.view", {"read_id": str(read_id)})
        return render(request, "read.html", user, r=detail, viewers=reads.viewers(conn, str(read_id)))

    @app.get("/map", include_in_schema=False)
    def map_page(
        request: Request, user: PageUser, vrm: str = "", since: str = "", until: str = ""
    ) -> HTMLResponse:
        if not user.can("locations"):
            raise HTTPException(403, "Camera locations are for supervisors, engineers and administrators.")
        # Control rooms use their own tile servers; without one the sites show on their coordinates.
        tiles = os.environ.get("ANPR_MAP_TILES", "")
        return render(
            request,
            "map.html",
            user,
            tiles=tiles,
            tiles_name=urlsplit(tiles).hostname or tiles,
            attribution=os.environ.get("ANPR_MAP_ATTRIBUTION", ""),
            vrm=vrm,
            since=since,
            until=until,
        )

    @app.get("/access", include_in_schema=False)
    def access_page(request: Request, user: PageUser, conn: Db) -> HTMLResponse:
        if not user.can("search"):
            raise HTTPException(403, "Searching is not for your role.")
        return render(request, "access.html", user, requests=authorisations.listed(conn, user))

    @app.get("/hotlists", include_in_schema=False)
    def hotlists_page(request: Request, user: PageUser, conn: Db, q: str = "") -> HTMLResponse:
        stale = dict(stale_lists(conn))
        lists = conn.execute(
            "SELECT h.name, h.owner, h.priority, h.match_mode, h.current_revision, h.refreshed_at, "
            "(SELECT count(*) FROM hotlist_entries e WHERE e.list_id = h.list_id AND "
            "e.revision = h.current_revision), h.colour, h.sound FROM hotlists h ORDER BY h.priority, h.name"
        ).fetchall()
        entries = []
        if q:
            entries = conn.execute(
                "SELECT h.name, e.vrm, e.make, e.model, e.colour, e.action, e.warning_markers, "
                "e.weed_date FROM hotlist_entries e JOIN hotlists h ON h.list_id = e.list_id AND "
                "h.current_revision = e.revision WHERE e.vrm LIKE %s ORDER BY e.vrm LIMIT 100",
                (q.upper().replace(" ", "").replace("*", "%") + "%",),
            ).fetchall()
            audit.record(conn, user.username, "hotlist.search", {"q": q, "results": len(entries)})
        return render(request, "hotlists.html", user, lists=lists, stale=stale, q=q, entries=entries)

    @app.get("/hotlists/{name}", include_in_schema=False)
    def hotlist_page(name: str, request: Request, user: PageUser, conn: Db) -> HTMLResponse:
        if not user.can("hotlists.view"):
            raise HTTPException(403, "Hotlists are not for your role.")
        try:
            revs = history.revisions(conn, name)
        except LookupError:
            raise HTTPException(404, f"There is no hotlist {name}.") from None
        # Each revision against the one before, where both are small enough to compare on a page
        # load (a national extract of a million entries is compared with GET …/diff).
        small = [r["revision"] for r in revs if r["entries"] <= 100_000]
        diffs = {new: history.diff(conn, name, old, new) for new, old in pairwise(small) if new == old + 1}
        return render(request, "hotlist.html", user, list_name=name, revisions=revs, diffs=diffs)

    @app.get("/audit", include_in_schema=False)
    def audit_page(
        request: Request, user: PageUser, conn: Db, actor: str = "", action: str = ""
    ) -> HTMLResponse:
        if not user.can("audit"):
            raise HTTPException(403, "The audit trail is for auditors and administrators.")
        sql, args = "SELECT seq, at, actor, action, detail FROM audit_log WHERE true", []
        if actor:
            sql += " AND actor = %s"
            args.append(actor)
        if action:
            sql += " AND action LIKE %s"
            args.append(action.replace("*", "%") + "%")
        rows = conn.execute(sql + " ORDER BY seq DESC LIMIT 300", args).fetchall()
        return render(
            request, "audit.html", user, rows=rows, check=audit.verify(conn), actor=actor, action=action
        )

    return app


def _state(row: tuple) -> str:
    down, degraded, maint = row[4], row[5], row[6]
    return "DOWN" if down else "DEGRADED" if degraded else "MAINTENANCE" if maint else "UP"


def _availability(conn: psycopg.Connection, now: datetime) -> dict[str, dict[str, float]]:
    """Per site, the share of camera-time not DOWN over 24 h, 7 d and 30 d."""
    out: dict[str, dict[str, float]] = {}
    cams = dict(conn.execute("SELECT site_id, count(*) FROM cameras GROUP BY site_id").fetchall())
    for key, days in (("a24h", 1), ("a7d", 7), ("a30d", 30)):
        since = now - timedelta(days=days)
        rows = conn.execute(
            "SELECT site_id, COALESCE(sum(extract(epoch FROM least(COALESCE(ended_at, %s), %s) - greatest(started_at, %s))), 0) "
            "FROM incidents WHERE state = 'DOWN' AND started_at < %s AND (ended_at IS NULL OR ended_at > %s) "
            "GROUP BY site_id",
            (now, now, since, now, since),
        ).fetchall()
        down = dict(rows)
        for site, n in cams.items():
            out.setdefault(site, {})[key] = round(
                100 * (1 - float(down.get(site, 0)) / (n * days * 86400)), 2
            )
    return out


def _baseline(conn: psycopg.Connection, site_id: str, hours: list[datetime]) -> list[float]:
    out = []
    for h in hours:
        prev = [h - timedelta(weeks=k) for k in range(1, 5)]
        v = conn.execute(
            "SELECT COALESCE(sum(reads), 0) / 4.0 FROM read_rollup_hourly r JOIN cameras c "
            "USING (camera_id) WHERE c.site_id = %s AND r.hour = ANY(%s)",
            (site_id, prev),
        ).fetchone()
        out.append(float(v[0]) if v else 0.0)
    return out
