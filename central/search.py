"""Read search: by VRM (exact, wildcard, lenient), time range and sites.

Most users search only the last 90 days. Reaching further needs the extended role *and* a
recorded inspector's authorisation (authoriser, reason, case reference, expiry) that has not
expired. Every search is audited, refused ones included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from anpr.plates import normalise
from central import audit
from central.auth import User
from hotlists.matcher import canonical

ACCESS_DAYS = 90
MAX_RESULTS = 1000
_CANON_FROM, _CANON_TO = "ODQIZSBG", "00012586"


class SearchRefused(PermissionError):
    pass


@dataclass(frozen=True)
class SearchQuery:
    vrm: str
    mode: str = "exact"  # exact | wildcard | lenient
    since: datetime | None = None
    until: datetime | None = None
    sites: tuple[str, ...] = ()
    authorisation_id: int | None = None
    limit: int = 200
    offset: int = 0


@dataclass(frozen=True)
class SearchPage:
    rows: list[dict]
    total: int  # all matching reads in the window, of which `rows` is one page
    since: datetime
    until: datetime
    offset: int


def parse_time(text: str, field: str) -> datetime | None:
    """A time from a form or a query string: empty means not given; no zone means UTC."""
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{field}: {text[:40]!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def query_from_form(
    vrm: str,
    mode: str = "exact",
    since: str = "",
    until: str = "",
    sites: str = "",
    authorisation_id: str = "",
    limit: int = 200,
    offset: int = 0,
) -> SearchQuery:
    """The query as a console form or a link sends it, every field a string and empty when not
    given; a bad field is named in the error."""
    auth = authorisation_id.strip()
    if auth and not (auth.isdigit() and 0 < int(auth) < 2**62):
        raise ValueError(f"authorisation no.: {auth[:40]!r} is not an authorisation number")
    return SearchQuery(
        vrm,
        mode,
        parse_time(since, "from"),
        parse_time(until, "to"),
        tuple(x.strip() for x in sites.split(",") if x.strip()),
        int(auth) if auth else None,
        limit,
        max(0, offset),
    )


def record_authorisation(
    conn: psycopg.Connection,
    actor: User,
    for_username: str,
    authoriser: str,
    reason: str,
    case_ref: str,
    expires_at: datetime,
) -> int:
    if not (authoriser.strip() and reason.strip() and case_ref.strip()):
        raise ValueError("authoriser, reason and case reference are all required")
    row = conn.execute("SELECT user_id FROM users WHERE username = %s", (for_username,)).fetchone()
    if row is None:
        raise ValueError(f"no user {for_username!r}")
    auth_id = conn.execute(
        "INSERT INTO authorisations(user_id, authoriser, reason, case_ref, expires_at) VALUES (%s, %s, %s, %s, %s) "
        "RETURNING auth_id",
        (row[0], authoriser, reason, case_ref, expires_at),
    ).fetchone()[0]  # type: ignore[index]
    audit.record(
        conn,
        actor.username,
        "authorisation.create",
        {
            "auth_id": auth_id,
            "for": for_username,
            "authoriser": authoriser,
            "case_ref": case_ref,
            "reason": reason,
            "expires_at": expires_at.isoformat(),
        },
    )
    return int(auth_id)


def _window(q: SearchQuery, now: datetime) -> tuple[datetime, datetime]:
    until = q.until or now
    since = q.since or until - timedelta(days=1)
    if since > until:
        raise ValueError("the time range ends before it starts")
    return since, until


def search(conn: psycopg.Connection, user: User, q: SearchQuery, now: datetime | None = None) -> list[dict]:
    return search_page(conn, user, q, now).rows


def search_page(
    conn: psycopg.Connection, user: User, q: SearchQuery, now: datetime | None = None
) -> SearchPage:
    """One page of the reads matching `q` (newest first), with how many match in all; audited,
    refusals included."""
    now = now or datetime.now(UTC)
    since, until = _window(q, now)
    detail = {
        "vrm": q.vrm,
        "mode": q.mode,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "sites": list(q.sites),
        "authorisation_id": q.authorisation_id,
    }
    try:
        _check_access(conn, user, since, now, q.authorisation_id)
    except SearchRefused as exc:
        audit.record(conn, user.username, "search.refused", {**detail, "reason": str(exc)})
        raise
    where, args = _vrm_clause(q)
    where += " AND captured_at >= %s AND captured_at < %s"
    args += [since, until]
    if q.sites:
        where += " AND site_id = ANY(%s)"
        args.append(list(q.sites))
    (total,) = conn.execute(f"SELECT count(*) FROM reads WHERE {where}", args).fetchone()  # type: ignore[misc]
    sql = (
        "SELECT read_id, captured_at, site_id, camera_id, lane, direction, vrm, raw_text, confidence, format, "
        f"plate_colour, time_suspect FROM reads WHERE {where} ORDER BY captured_at DESC, read_id DESC LIMIT %s OFFSET %s"
    )
    cols = (
        "read_id",
        "captured_at",
        "site_id",
        "camera_id",
        "lane",
        "direction",
        "vrm",
        "raw_text",
        "confidence",
        "format",
        "plate_colour",
        "time_suspect",
    )
    page = [min(q.limit, MAX_RESULTS), q.offset]
    rows = [dict(zip(cols, r, strict=True)) for r in conn.execute(sql, [*args, *page])]  # type: ignore[arg-type]
    audit.record(
        conn, user.username, "search", {**detail, "results": len(rows), "total": total, "offset": q.offset}
    )
    return SearchPage(rows, int(total), since, until, q.offset)


def travelling_with(
    conn: psycopg.Connection,
    user: User,
    q: SearchQuery,
    within_s: int = 60,
    min_times: int = 2,
    now: datetime | None = None,
) -> list[dict]:
    """Convoy analysis: the vehicles read at the same site as the target within `within_s`
    seconds of it, on at least `min_times` of its sightings; most often first. Same access rules
    and audit as a search."""
    if not 1 <= within_s <= 3600 or not 2 <= min_times <= 100:
        raise ValueError("within 1-3600 s, at least 2-100 times")
    now = now or datetime.now(UTC)
    since, until = _window(q, now)
    detail = {"vrm": q.vrm, "since": since.isoformat(), "until": until.isoformat(), "within_s": within_s}
    try:
        _check_access(conn, user, since, now, q.authorisation_id)
    except SearchRefused as exc:
        audit.record(conn, user.username, "search.refused", {**detail, "reason": str(exc)})
        raise
    target = normalise(q.vrm)
    rows = conn.execute(
        "WITH target AS (SELECT captured_at, site_id FROM reads WHERE vrm = %s AND captured_at >= %s "
        "AND captured_at < %s) "
        "SELECT r.vrm, count(DISTINCT (t.site_id, t.captured_at)) AS times, array_agg(DISTINCT r.site_id), "
        "min(r.captured_at), max(r.captured_at) "
        "FROM target t JOIN reads r ON r.site_id = t.site_id AND r.captured_at >= t.captured_at - %s "
        "AND r.captured_at <= t.captured_at + %s WHERE r.vrm <> %s "
        "GROUP BY r.vrm HAVING count(DISTINCT (t.site_id, t.captured_at)) >= %s ORDER BY times DESC, r.vrm LIMIT 100",
        (target, since, until, timedelta(seconds=within_s), timedelta(seconds=within_s), target, min_times),
    ).fetchall()
    out = [
        {"vrm": v, "times": n, "sites": sorted(sites), "first": first, "last": last}
        for v, n, sites, first, last in rows
    ]
    audit.record(
        conn, user.username, "search.convoy", {**detail, "min_times": min_times, "results": len(out)}
    )
    return out


def _check_access(
    conn: psycopg.Connection, user: User, since: datetime, now: datetime, authorisation_id: int | None
) -> None:
    if not user.can("search"):
        raise SearchRefused(f"role {user.role} may not search reads")
    if since >= now - timedelta(days=ACCESS_DAYS):
        return
    if not user.extended:
        raise SearchRefused("searches older than 90 days need the extended-access role")
    if authorisation_id is None:
        raise SearchRefused("searches older than 90 days need an inspector's authorisation record")
    row = conn.execute(
        "SELECT expires_at FROM authorisations WHERE auth_id = %s AND user_id = %s",
        (authorisation_id, user.user_id),
    ).fetchone()
    if row is None:
        raise SearchRefused(f"authorisation {authorisation_id} is not yours or does not exist")
    if row[0] <= now:
        raise SearchRefused(f"authorisation {authorisation_id} expired at {row[0].isoformat()}")


def _vrm_clause(q: SearchQuery) -> tuple[str, list]:
    if q.mode == "exact":
        return "vrm = %s", [normalise(q.vrm)]
    if q.mode == "wildcard":
        pattern = normalise(q.vrm)
        if not re.fullmatch(r"[A-Z0-9*?]+", pattern):
            raise ValueError("a wildcard VRM uses letters, digits, * and ?")
        like = pattern.replace("*", "%").replace("?", "_")
        return "vrm LIKE %s", [like]
    if q.mode == "lenient":
        return (f"translate(vrm, '{_CANON_FROM}', '{_CANON_TO}') = %s", [_sql_canonical(normalise(q.vrm))])
    raise ValueError("mode must be exact, wildcard or lenient")


def _sql_canonical(vrm: str) -> str:
    """The same classes as the hotlist matcher, written with the representatives SQL uses."""
    out = canonical(vrm)
    return out.translate(str.maketrans(_CANON_FROM, _CANON_TO))
