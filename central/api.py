"""The central HTTP API (FastAPI). Every endpoint but /healthz requires a session cookie or a
bearer API token; what a role may see follows central/auth.PERMISSIONS."""

import asyncio
import csv
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import psycopg
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi import Query as QueryParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from central import alerts as alerts_mod
from central import (
    audit,
    auth,
    authorisations,
    csrf,
    health,
    partitions,
    preservation,
    reads,
    reports,
    search,
    store,
)
from central.auth import User
from central.live import LiveHub
from central.login_throttle import LoginThrottle
from hotlists import history
from hotlists.formats import parse_csv, parse_voi
from hotlists.loader import (
    ListSettings,
    NoSuchList,
    list_settings,
    load_revision,
    stale_lists,
    update_settings,
)

SESSION_COOKIE = "anpr_session"
SESSION_RECHECK_S = 5.0  # the live stream re-checks its session at least this often


def case_ref_filename(case_ref: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in case_ref)[:64]


def credentials(request: Request) -> tuple[str | None, str | None]:
    """(session cookie, bearer token) as the request carries them."""
    bearer = None
    authz = request.headers.get("authorization", "")
    if authz.lower().startswith("bearer "):
        bearer = authz[7:].strip()
    return request.cookies.get(SESSION_COOKIE), bearer


# Page sizes: at least one row, at most what one response should carry.
Limit = Annotated[int, QueryParam(ge=1, le=5000)]
REQUESTS = Counter("anpr_api_requests_total", "API requests", ["route"])


class LoginBody(BaseModel):
    username: str
    password: str


class DispositionBody(BaseModel):
    disposition: str  # no default: the operator chooses one
    note: str = Field("", max_length=2000)
    incident_ref: str = Field("", max_length=64)


class ListSettingsBody(BaseModel):
    """The settings to change; a field left out keeps its value."""

    owner: str | None = Field(None, max_length=200)
    priority: int | None = Field(None, ge=1, le=9)
    match_mode: Literal["exact", "lenient"] | None = None
    max_substitutions: int | None = Field(None, ge=0, le=3)
    wide_classes: bool | None = None
    max_age_s: int | None = Field(None, ge=60, le=366 * 86_400)
    colour: str | None = Field(None, pattern=r"^(#[0-9a-fA-F]{6})?$")
    sound: Literal["beep", "chime", "siren", "none"] | None = None


class AccessRequestBody(BaseModel):
    reason: str = Field(max_length=500)
    case_ref: str = Field(max_length=64)


class AccessDecisionBody(BaseModel):
    grant: bool
    authoriser: str = Field("", max_length=200)  # the inspector who authorised it
    expires_at: datetime | None = None


class AuthorisationBody(BaseModel):
    username: str
    authoriser: str
    reason: str
    case_ref: str
    expires_at: datetime


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    """The session cookie: HTTP-only, same-site strict, as long as the session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure,
        max_age=auth.SESSION_HOURS * 3600,
    )


class LoginThrottled(HTTPException):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429, f"too many failed logins; retry in {retry_after} s", {"Retry-After": str(retry_after)}
        )


def make_login_check(throttle: LoginThrottle):  # type: ignore[no-untyped-def]
    """One login path for the API and the console: throttled, audited, never logs the password."""

    def check(request: Request, conn: psycopg.Connection, username: str, password: str, via: str):  # type: ignore[no-untyped-def]
        client = request.client.host if request.client else "unknown"
        if (wait := throttle.retry_after(client, username)) is not None:
            audit.record(conn, username, "login.throttled", {"via": via, "client": client})
            raise LoginThrottled(wait)
        got = auth.login(conn, username, password)
        if got is None:
            throttle.failed(client, username)
            audit.record(conn, username, "login.failed", {"via": via, "client": client})
            return None
        audit.record(conn, got[0].username, "login", {"via": via, "client": client})
        return got

    return check


def create_app(database_url: str, secure_cookies: bool = False) -> FastAPI:
    with store.connect(database_url) as owner:  # schema changes as the owner; requests as anpr_app
        backend = store.migrate(owner)
        partitions.ensure_partitions(owner, backend)
    pool = store.pool(database_url, 1, 8)
    hub = LiveHub(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        yield
        await hub.stop()
        pool.close()

    app = FastAPI(
        title="ANPR central service",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.pool = pool
    app.state.hub = hub
    app.state.backend = backend

    def db() -> Iterator[psycopg.Connection]:
        with pool.connection() as conn:
            yield conn

    Db = Annotated[psycopg.Connection, Depends(db)]

    def current_user(request: Request, conn: Db) -> User:
        user = auth.user_for(conn, *credentials(request))
        if user is None:
            raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
        return user

    CurrentUser = Annotated[User, Depends(current_user)]

    throttle = LoginThrottle()
    app.state.login = checked_login = make_login_check(throttle)

    def need(user: User, permission: str) -> None:
        if not user.can(permission):
            raise HTTPException(403, f"role {user.role} may not use {permission}")

    # -- open ---------------------------------------------------------------------------------
    @app.get("/healthz", include_in_schema=False)
    def healthz(conn: Db) -> dict:
        conn.execute("SELECT 1")
        return {"ok": True, "backend": backend.name}

    @app.post("/api/login")
    def api_login(body: LoginBody, request: Request, response: Response, conn: Db) -> dict:
        got = checked_login(request, conn, body.username, body.password, "api")
        if got is None:
            raise HTTPException(401, "wrong username or password")
        user, token = got
        set_session_cookie(response, token, secure_cookies or request.url.scheme == "https")
        return {"username": user.username, "role": user.role, "token": token}

    # -- authenticated ------------------------------------------------------------------------
    @app.post("/api/logout")
    def api_logout(request: Request, response: Response, user: CurrentUser, conn: Db) -> dict:
        if tok := request.cookies.get(SESSION_COOKIE):
            auth.logout(conn, tok)
        response.delete_cookie(SESSION_COOKIE)
        return {"ok": True}

    @app.get("/api/me")
    def me(user: CurrentUser) -> dict:
        return {
            "username": user.username,
            "role": user.role,
            "extended": user.extended,
            "permissions": sorted(auth.PERMISSIONS[user.role]),
        }

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(user: CurrentUser) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(user: CurrentUser) -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="ANPR API")

    @app.get("/metrics", include_in_schema=False)
    def metrics(user: CurrentUser) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/alerts")
    def list_alerts(user: CurrentUser, conn: Db, limit: Limit = 50, state: str | None = None) -> list[dict]:
        need(user, "alerts")
        sql = "SELECT alert_id FROM alerts"
        args: list = []
        if state:
            sql += " WHERE state = %s"
            args.append(state)
        sql += " ORDER BY state = 'new' DESC, priority, created_at DESC LIMIT %s"
        args.append(min(limit, 500))
        return [alerts_mod.alert_message(conn, str(r[0])) for r in conn.execute(sql, args)]  # type: ignore[misc]

    @app.get("/api/alerts/stream")
    async def alert_stream(request: Request, user: CurrentUser) -> EventSourceResponse:
        need(user, "alerts")
        creds = credentials(request)
        q = hub.subscribe()

        def still_signed_in() -> bool:
            with pool.connection() as conn:
                return auth.user_for(conn, *creds) is not None

        async def events() -> AsyncIterator[dict]:
            # The session is checked again at once when any session ends (a logout anywhere) and
            # at least every SESSION_RECHECK_S (expiry), so a logged-out or expired console stops
            # receiving alerts, without a query per event per console.
            checked = time.monotonic()
            try:
                while not await request.is_disconnected():
                    try:
                        channel, payload = await asyncio.wait_for(q.get(), timeout=SESSION_RECHECK_S)
                    except TimeoutError:
                        channel, payload = "ping", ""
                    due = time.monotonic() - checked >= SESSION_RECHECK_S
                    if channel == auth.SESSION_CHANNEL or due:
                        if not await asyncio.to_thread(still_signed_in):
                            yield {"event": "logout", "data": json.dumps({"reason": "session ended"})}
                            return
                        checked = time.monotonic()
                    if channel == "ping":
                        yield {"event": "ping", "data": "{}"}
                    elif channel in (alerts_mod.CHANNEL, alerts_mod.STATE_CHANNEL):
                        with pool.connection() as conn:
                            msg = alerts_mod.alert_message(conn, payload)
                        if msg:
                            yield {"event": "alert", "data": json.dumps(msg, default=str)}
                    elif channel == "camera_state":
                        cam, _, state = payload.partition(":")
                        yield {"event": "camera", "data": json.dumps({"camera_id": cam, "state": state})}
            finally:
                hub.unsubscribe(q)

        return EventSourceResponse(events())

    def answer(t: alerts_mod.Transition) -> dict | JSONResponse:
        """The alert as it stands after the action; 409 with the reason when another console (or
        an earlier action) got there first, so the UI shows the server's state, never a guess."""
        if t.alert is None:
            raise HTTPException(404, "no such alert")
        body = {"ok": t.changed, "alert": json.loads(json.dumps(t.alert, default=str))}
        if t.changed:
            return body
        return JSONResponse({**body, "detail": t.reason}, status_code=409)

    @app.post("/api/alerts/{alert_id}/ack", response_model=None)
    def ack(alert_id: UUID, user: CurrentUser, conn: Db) -> dict | JSONResponse:
        need(user, "alerts")
        t = alerts_mod.acknowledge(conn, str(alert_id), user.username)
        audit.record(
            conn, user.username, "alert.acknowledge", {"alert_id": str(alert_id), "changed": t.changed}
        )
        return answer(t)

    @app.post("/api/alerts/{alert_id}/disposition", response_model=None)
    def disposition(
        alert_id: UUID, body: DispositionBody, user: CurrentUser, conn: Db
    ) -> dict | JSONResponse:
        need(user, "alerts")
        try:
            t = alerts_mod.dispose(
                conn, str(alert_id), body.disposition, user.username, body.note, body.incident_ref
            )
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        audit.record(
            conn,
            user.username,
            "alert.disposition",
            {
                "alert_id": str(alert_id),
                "disposition": body.disposition,
                "incident_ref": body.incident_ref,
                "changed": t.changed,
            },
        )
        return answer(t)

    @app.post("/api/alerts/{alert_id}/reopen", response_model=None)
    def reopen(alert_id: UUID, user: CurrentUser, conn: Db) -> dict | JSONResponse:
        need(user, "alerts.reopen")
        before = alerts_mod.alert_message(conn, str(alert_id))
        t = alerts_mod.reopen(conn, str(alert_id), user.username)
        audit.record(
            conn,
            user.username,
            "alert.reopen",
            {
                "alert_id": str(alert_id),
                "was": before and before.get("disposition"),
                "was_by": before and before.get("disposed_by"),
                "changed": t.changed,
            },
        )
        return answer(t)

    @app.get("/api/sites")
    def sites(user: CurrentUser, conn: Db) -> list[dict]:
        need(user, "sites")
        show_loc = user.can("locations")
        rows = conn.execute(
            "SELECT s.site_id, s.name, s.area, s.lat, s.lon, count(c.camera_id), "
            "count(*) FILTER (WHERE cs.state = 'DOWN'), count(*) FILTER (WHERE cs.state = 'DEGRADED'), "
            "count(*) FILTER (WHERE cs.state = 'MAINTENANCE') FROM sites s JOIN cameras c USING (site_id) "
            "JOIN camera_state cs USING (camera_id) GROUP BY s.site_id ORDER BY s.site_id"
        ).fetchall()
        out = []
        for sid, name, area, lat, lon, n, down, degraded, maint in rows:
            state = "DOWN" if down else "DEGRADED" if degraded else "MAINTENANCE" if maint else "UP"
            item = {
                "site_id": sid,
                "name": name,
                "area": area,
                "cameras": n,
                "state": state,
                "cameras_down": down,
                "cameras_degraded": degraded,
            }
            if show_loc:
                item.update(lat=lat, lon=lon)
            out.append(item)
        return out

    @app.get("/api/sites/{site_id}/report")
    def site_report(
        site_id: str, user: CurrentUser, conn: Db, period: str = "7d", fmt: str = "json"
    ) -> Response:
        need(user, "reports")
        try:
            rep = reports.site_report(conn, site_id, reports.parse_period(period))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
        if fmt == "csv":
            return PlainTextResponse(reports.cameras_csv(rep), media_type="text/csv")
        return JSONResponse(json.loads(json.dumps(rep.as_dict(), default=str)))

    @app.post("/api/cameras/{camera_id}/maintenance")
    def maintenance(camera_id: str, on: bool, user: CurrentUser, conn: Db) -> dict:
        need(user, "health.edit")
        health.set_maintenance(conn, camera_id, on)
        audit.record(conn, user.username, "camera.maintenance", {"camera_id": camera_id, "on": on})
        return {"ok": True}

    def search_query(
        vrm: str,
        mode: str = "exact",
        since: str = "",
        until: str = "",
        sites: str = "",
        authorisation_id: str = "",
        limit: Limit = 200,
        offset: Annotated[int, QueryParam(ge=0, le=10_000_000)] = 0,
    ) -> search.SearchQuery:
        # Empty fields are "not given": a console link or form sends them all.
        try:
            return search.query_from_form(vrm, mode, since, until, sites, authorisation_id, limit, offset)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    Query = Annotated[search.SearchQuery, Depends(search_query)]

    def searching(fn, *args):  # type: ignore[no-untyped-def]
        """A search-like call, with a refusal answered 403 and a malformed query 422."""
        try:
            return fn(*args)
        except search.SearchRefused as exc:
            raise HTTPException(403, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    def run_search(conn: psycopg.Connection, user: User, q: search.SearchQuery) -> list[dict]:
        return searching(search.search, conn, user, q)

    @app.get("/api/search")
    def api_search(user: CurrentUser, conn: Db, q: Query) -> list[dict]:
        return json.loads(json.dumps(run_search(conn, user, q), default=str))

    @app.get("/api/travelling-with")
    def api_travelling_with(
        user: CurrentUser,
        conn: Db,
        q: Query,
        within_s: Annotated[int, QueryParam(ge=1, le=3600)] = 60,
        min_times: Annotated[int, QueryParam(ge=2, le=100)] = 2,
    ) -> list[dict]:
        """Vehicles seen at the target's sites within `within_s` of it, at least `min_times` times."""
        rows = searching(search.travelling_with, conn, user, q, within_s, min_times)
        return json.loads(json.dumps(rows, default=str))

    @app.post("/api/authorisations")
    def authorise(body: AuthorisationBody, user: CurrentUser, conn: Db) -> dict:
        need(user, "authorise")
        try:
            auth_id = search.record_authorisation(
                conn, user, body.username, body.authoriser, body.reason, body.case_ref, body.expires_at
            )
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"authorisation_id": auth_id}

    @app.get("/api/reads/{read_id}")
    def read_detail(read_id: UUID, user: CurrentUser, conn: Db) -> dict:
        need(user, "reads")
        detail = reads.read_detail(conn, str(read_id))
        if detail is None:
            raise HTTPException(404, "no such read")
        audit.record(conn, user.username, "read.view", {"read_id": str(read_id)})
        return detail

    @app.post("/api/authorisation-requests")
    def request_authorisation(body: AccessRequestBody, user: CurrentUser, conn: Db) -> dict:
        need(user, "search")
        try:
            return {"request_id": authorisations.request(conn, user, body.reason, body.case_ref)}
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/api/authorisation-requests")
    def authorisation_requests(user: CurrentUser, conn: Db) -> list[dict]:
        need(user, "search")
        return authorisations.listed(conn, user)

    @app.post("/api/authorisation-requests/{request_id}/decision")
    def decide_authorisation(request_id: int, body: AccessDecisionBody, user: CurrentUser, conn: Db) -> dict:
        need(user, "authorise")
        try:
            return authorisations.decide(conn, user, request_id, body.grant, body.authoriser, body.expires_at)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
        except authorisations.AlreadyDecided as exc:
            raise HTTPException(409, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.post("/api/reads/{read_id}/preserve")
    def preserve_read(read_id: UUID, case_ref: str, user: CurrentUser, conn: Db) -> dict:
        need(user, "authorise")
        try:
            ok = preservation.preserve(conn, str(read_id), case_ref, user.username)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        if not ok:
            raise HTTPException(404, "no such read")
        return {"ok": True}

    @app.get("/api/reads/{read_id}/{which}.jpg")
    def read_image(read_id: UUID, which: str, user: CurrentUser, conn: Db) -> Response:
        need(user, "reads")
        if which not in ("plate", "overview"):
            raise HTTPException(404, "no such image")
        row = conn.execute(f"SELECT {which}_jpeg FROM reads WHERE read_id = %s", (read_id,)).fetchone()
        if row is None:
            raise HTTPException(404, "no such read")
        return Response(
            bytes(row[0]), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"}
        )

    @app.get("/api/export.csv")
    def export(
        user: CurrentUser,
        conn: Db,
        q: Query,
        reason: Annotated[str, QueryParam(max_length=500)] = "",
        case_ref: Annotated[str, QueryParam(max_length=64)] = "",
    ) -> Response:
        """The search's reads as CSV, with each site's name (and place, for roles that may see
        locations); the reason and case reference go into the audit trail."""
        need(user, "export")
        if len(reason.strip()) < 3 or len(case_ref.strip()) < 2:
            raise HTTPException(422, "an export needs a reason and a case reference")
        rows = run_search(conn, user, replace(q, limit=search.MAX_RESULTS))
        audit.record(
            conn,
            user.username,
            "export",
            {"vrm": q.vrm, "rows": len(rows), "reason": reason, "case_ref": case_ref},
        )
        places = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT site_id, name, lat, lon FROM sites WHERE site_id = ANY(%s)",
                (list({r["site_id"] for r in rows}),),
            )
        }
        located = user.can("locations")
        buf = io.StringIO()
        w = csv.writer(buf)
        extra = ["site_name", "lat", "lon"] if located else ["site_name"]
        w.writerow([*(rows[0].keys() if rows else ["read_id", "site_id"]), *extra])
        for r in rows:
            name, lat, lon = places.get(r["site_id"], ("", None, None))
            w.writerow([*r.values(), name, *((lat, lon) if located else ())])
        return PlainTextResponse(
            buf.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f"attachment; filename=reads-{case_ref_filename(case_ref)}.csv"},
        )

    @app.get("/api/hotlists")
    def hotlists(user: CurrentUser, conn: Db) -> list[dict]:
        need(user, "hotlists.view")
        stale = dict(stale_lists(conn))
        rows = conn.execute(
            "SELECT h.list_id, h.name, h.owner, h.priority, h.match_mode, h.current_revision, "
            "h.refreshed_at, h.max_age_s, (SELECT count(*) FROM hotlist_entries e WHERE "
            "e.list_id = h.list_id AND e.revision = h.current_revision) FROM hotlists h "
            "ORDER BY h.priority, h.name"
        ).fetchall()
        return [
            {
                "list_id": r[0],
                "name": r[1],
                "owner": r[2],
                "priority": r[3],
                "match_mode": r[4],
                "revision": r[5],
                "refreshed_at": r[6].isoformat() if r[6] else None,
                "max_age_s": r[7],
                "entries": r[8],
                "stale": r[1] in stale,
            }
            for r in rows
        ]

    @app.post("/api/hotlists/{name}")
    async def upload_hotlist(
        name: str,
        request: Request,
        user: CurrentUser,
        create: bool = False,
        priority: Annotated[int | None, QueryParam(ge=1, le=9)] = None,
        match_mode: Literal["exact", "lenient"] | None = None,
        owner: Annotated[str | None, QueryParam(max_length=200)] = None,
    ) -> dict:
        """A new revision of a list's entries. The list's settings are not touched: they are
        changed on their own (PUT …/settings). A name that is no list yet needs `create=true`,
        and only then do priority, match mode and owner apply."""
        need(user, "hotlists.edit")
        text = (await request.body()).decode("utf-8-sig")
        parsed = parse_voi(text) if text.lstrip().startswith("{") else parse_csv(text)
        if parsed.rejected:
            raise HTTPException(
                422, {"rejected": [{"line": r.line, "reason": r.reason} for r in parsed.rejected[:50]]}
            )
        with pool.connection() as conn:
            current = list_settings(conn, name)
            if current is None and not create:
                raise HTTPException(404, f"no hotlist named {name!r}; send create=true to start a new list")
            asked = {"priority": priority, "match_mode": match_mode, "owner": owner}
            if current is not None and any(
                v is not None and v != getattr(current, k) for k, v in asked.items()
            ):
                raise HTTPException(
                    409,
                    f"{name!r} exists: its settings are changed on their own (PUT /api/hotlists/{name}/settings), "
                    "not by an upload",
                )
            settings = None
            if current is None:
                settings = ListSettings(
                    owner=owner or "", priority=priority or 5, match_mode=match_mode or "lenient"
                )
            try:
                list_id, rev = load_revision(conn, name, parsed.entries, settings, create=create)
            except NoSuchList as exc:  # deleted or renamed meanwhile
                raise HTTPException(404, str(exc)) from None
            audit.record(
                conn,
                user.username,
                "hotlist.load",
                {"list": name, "revision": rev, "entries": len(parsed.entries), "created": current is None},
            )
        return {
            "list_id": list_id,
            "revision": rev,
            "entries": len(parsed.entries),
            "created": current is None,
        }

    @app.get("/api/hotlists/{name}/revisions")
    def hotlist_revisions(name: str, user: CurrentUser, conn: Db) -> list[dict]:
        need(user, "hotlists.view")
        try:
            return history.revisions(conn, name)
        except NoSuchList as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/api/hotlists/{name}/diff")
    def hotlist_diff(name: str, old: int, new: int, user: CurrentUser, conn: Db) -> dict:
        need(user, "hotlists.view")
        try:
            d = history.diff(conn, name, old, new)
        except NoSuchList as exc:
            raise HTTPException(404, str(exc)) from None
        return {"old": old, "new": new, "added": d.added, "removed": d.removed, "changed": d.changed}

    @app.post("/api/hotlists/{name}/rollback")
    def hotlist_rollback(name: str, revision: int, user: CurrentUser, conn: Db) -> dict:
        need(user, "hotlists.edit")
        try:
            new = history.rollback(conn, name, revision)
        except LookupError as exc:  # no such list, or that revision no longer held
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        audit.record(conn, user.username, "hotlist.rollback", {"list": name, "to": revision, "revision": new})
        return {"list": name, "revision": new, "entries_of": revision}

    @app.put("/api/hotlists/{name}/settings")
    def hotlist_settings(name: str, body: ListSettingsBody, user: CurrentUser, conn: Db) -> dict:
        need(user, "hotlists.edit")
        before = list_settings(conn, name)
        if before is None:
            raise HTTPException(404, f"no hotlist named {name!r}")
        after = replace(before, **body.model_dump(exclude_none=True))
        update_settings(conn, name, after)
        audit.record(
            conn,
            user.username,
            "hotlist.settings",
            {"list": name, "before": asdict(before), "after": asdict(after)},
        )
        return {"list": name, **asdict(after)}

    @app.get("/api/audit")
    def audit_trail(
        user: CurrentUser, conn: Db, actor: str | None = None, action: str | None = None, limit: Limit = 200
    ) -> dict:
        need(user, "audit")
        sql = "SELECT seq, at, actor, action, detail FROM audit_log WHERE true"
        args: list = []
        if actor:
            sql += " AND actor = %s"
            args.append(actor)
        if action:
            sql += " AND action LIKE %s"
            args.append(action.replace("*", "%"))
        sql += " ORDER BY seq DESC LIMIT %s"
        args.append(min(limit, 5000))
        rows = [
            {"seq": r[0], "at": r[1].isoformat(), "actor": r[2], "action": r[3], "detail": r[4]}
            for r in conn.execute(sql, args)
        ]
        check = audit.verify(conn)
        return {
            "entries": rows,
            "chain": {"rows": check.rows, "ok": check.ok, "first_bad_seq": check.first_bad_seq},
        }

    @app.exception_handler(psycopg.DataError)
    async def bad_value(request: Request, exc: psycopg.DataError) -> JSONResponse:
        # A value the database cannot take (a NUL byte, an out-of-range number) is the caller's error.
        return JSONResponse({"detail": f"invalid value: {str(exc).splitlines()[0]}"}, status_code=422)

    @app.middleware("http")
    async def count_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        if refused := csrf.refusal(request, SESSION_COOKIE):
            return refused
        response = await call_next(request)
        route = request.scope.get("route")
        REQUESTS.labels(getattr(route, "path", "other")).inc()
        return response

    return app
