"""Users, roles, argon2 password hashes, session tokens and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

ROLES = ("operator", "supervisor", "engineer", "auditor", "admin")
SESSION_HOURS = 12
_hasher = PasswordHasher()

# What each role may do. Camera locations are sensitive: only the roles that need them.
PERMISSIONS: dict[str, set[str]] = {
    "operator": {"alerts", "search", "reads", "sites", "hotlists.view"},
    "supervisor": {
        "alerts",
        "alerts.reopen",
        "search",
        "reads",
        "sites",
        "locations",
        "hotlists.view",
        "hotlists.edit",
        "authorise",
        "reports",
        "export",
    },
    "engineer": {"sites", "locations", "reports", "health.edit", "hotlists.view"},
    "auditor": {"audit", "sites", "reports"},
}
# An admin may do everything any role may, and manage users.
PERMISSIONS["admin"] = set().union(*PERMISSIONS.values()) | {"users"}


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    role: str
    extended: bool  # may search past 90 days (with an authorisation)

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, set())


def _h(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def create_user(
    conn: psycopg.Connection, username: str, password: str, role: str, extended: bool = False
) -> int:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("password must be at least 10 characters")
    row = conn.execute(
        "INSERT INTO users(username, password_hash, role, extended) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, "
        "extended = EXCLUDED.extended RETURNING user_id",
        (username, _hasher.hash(password), role, extended),
    ).fetchone()
    return int(row[0])  # type: ignore[index]


def login(conn: psycopg.Connection, username: str, password: str) -> tuple[User, str] | None:
    row = conn.execute(
        "SELECT user_id, username, role, extended, password_hash FROM users "
        "WHERE username = %s AND NOT disabled",
        (username,),
    ).fetchone()
    if row is None:
        _hasher.hash(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(row[4], password)
    except VerifyMismatchError:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO sessions(token_hash, user_id, expires_at) VALUES (%s, %s, %s)",
        (_h(token), row[0], datetime.now(UTC) + timedelta(hours=SESSION_HOURS)),
    )
    return User(row[0], row[1], row[2], row[3]), token


SESSION_CHANNEL = "session_end"


def logout(conn: psycopg.Connection, token: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = %s", (_h(token),))
    # Live streams re-check their own session at once rather than at their next ping.
    conn.execute("SELECT pg_notify(%s, '')", (SESSION_CHANNEL,))


def create_api_token(conn: psycopg.Connection, username: str, name: str) -> str:
    token = "anpr_" + secrets.token_urlsafe(32)
    row = conn.execute("SELECT user_id FROM users WHERE username = %s", (username,)).fetchone()
    if row is None:
        raise ValueError(f"no user {username!r}")
    conn.execute(
        "INSERT INTO api_tokens(token_hash, user_id, name) VALUES (%s, %s, %s)", (_h(token), row[0], name)
    )
    return token


def user_for(conn: psycopg.Connection, session: str | None = None, bearer: str | None = None) -> User | None:
    """The user behind a bearer token (session or API token) or a session cookie.
    An explicit Authorization header wins over a cookie the client happens to carry."""
    token = bearer or session
    if not token:
        return None
    row = conn.execute(
        "SELECT u.user_id, u.username, u.role, u.extended FROM users u WHERE NOT u.disabled AND u.user_id = ("
        "  SELECT user_id FROM sessions WHERE token_hash = %s AND expires_at > now()"
        "  UNION ALL SELECT user_id FROM api_tokens WHERE token_hash = %s LIMIT 1)",
        (_h(token), _h(token)),
    ).fetchone()
    return User(*row) if row else None
