"""Cross-site request forgery defence for cookie-authenticated requests.

Session cookies are SameSite=Strict already; on top of that every state-changing request
that does not carry a bearer token must come from this service's own pages: its Origin
(or, failing that, its Referer) must name the host the request was sent to. Browsers set
Origin on every cross-site POST and cannot be made to forge it; API clients use bearer
tokens and are not affected. A request with neither cookie nor token has no authority to
borrow, except a login form post (login CSRF), which is checked too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_LOGIN = "/login"


def same_origin(request: Request) -> bool:
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    host = request.headers.get("host", "")
    return urlsplit(source).netloc.lower() == host.lower()


def refusal(request: Request, session_cookie: str) -> Response | None:
    """A 403 for a cross-site state change, else None."""
    if request.method not in UNSAFE:
        return None
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return None
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        return None  # a cross-site page cannot send JSON without a CORS preflight, which we never grant
    if session_cookie not in request.cookies and request.url.path != FORM_LOGIN:
        return None
    if same_origin(request):
        return None
    return JSONResponse({"detail": "cross-site request refused (Origin does not match)"}, status_code=403)
