"""Requests for extended access: a user asks (reason, case reference), a supervisor grants, which
records the inspector's authorisation a search past 90 days needs, or refuses. All audited."""

from __future__ import annotations

from datetime import datetime

import psycopg

from central import audit, search
from central.auth import User


class AlreadyDecided(ValueError):
    pass


def request(conn: psycopg.Connection, user: User, reason: str, case_ref: str) -> int:
    if len(reason.strip()) < 3 or len(case_ref.strip()) < 2:
        raise ValueError("a request needs a reason and a case reference")
    (rid,) = conn.execute(
        "INSERT INTO authorisation_requests(username, reason, case_ref) VALUES (%s, %s, %s) RETURNING request_id",
        (user.username, reason.strip(), case_ref.strip()),
    ).fetchone()  # type: ignore[misc]
    audit.record(conn, user.username, "authorisation.request", {"request_id": rid, "case_ref": case_ref})
    return int(rid)


def listed(conn: psycopg.Connection, user: User) -> list[dict]:
    """A deciding supervisor sees every request; anyone else their own."""
    sql = (
        "SELECT r.request_id, r.username, r.reason, r.case_ref, r.requested_at, r.state, r.decided_by, "
        "r.auth_id, a.expires_at FROM authorisation_requests r LEFT JOIN authorisations a USING (auth_id)"
    )
    args: list = []
    if not user.can("authorise"):
        sql += " WHERE r.username = %s"
        args.append(user.username)
    rows = conn.execute(sql + " ORDER BY r.state = 'pending' DESC, r.request_id DESC LIMIT 200", args)
    keys = (
        "request_id",
        "username",
        "reason",
        "case_ref",
        "requested_at",
        "state",
        "decided_by",
        "auth_id",
        "expires_at",
    )
    return [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in zip(keys, r, strict=True)}
        for r in rows
    ]


def decide(
    conn: psycopg.Connection,
    supervisor: User,
    request_id: int,
    grant: bool,
    authoriser: str = "",
    expires_at: datetime | None = None,
) -> dict:
    """Grant (recording the inspector's authorisation) or refuse a pending request, once."""
    with conn.transaction():
        row = conn.execute(
            "SELECT username, reason, case_ref, state FROM authorisation_requests WHERE request_id = %s FOR UPDATE",
            (request_id,),
        ).fetchone()
        if row is None:
            raise LookupError("no such request")
        username, reason, case_ref, state = row
        if state != "pending":
            raise AlreadyDecided(f"request {request_id} was already {state}")
        auth_id = None
        if grant:
            if expires_at is None:
                raise ValueError("a grant needs an expiry")
            auth_id = search.record_authorisation(
                conn, supervisor, username, authoriser, reason, case_ref, expires_at
            )
        conn.execute(
            "UPDATE authorisation_requests SET state = %s, decided_by = %s, decided_at = now(), auth_id = %s "
            "WHERE request_id = %s",
            ("granted" if grant else "refused", supervisor.username, auth_id, request_id),
        )
        if not grant:
            audit.record(conn, supervisor.username, "authorisation.refuse", {"request_id": request_id})
    return {"request_id": request_id, "state": "granted" if grant else "refused", "authorisation_id": auth_id}
