"""Login throttling: failed logins are counted per client and account in a moving window;
past the limit the login is refused with 429 and Retry-After before the password is checked.

Counts live in the serving process (the `limits` library's memory storage): one console
process per host is how the service is deployed, and a restart forgetting counts is harmless.
"""

from __future__ import annotations

import time

from limits import parse, storage, strategies


class LoginThrottle:
    def __init__(self, per_account: str = "5/5minutes", per_client: str = "20/5minutes") -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._account = parse(per_account)
        self._client = parse(per_client)

    def _limits(self, client: str, username: str) -> list:
        return [(self._account, (client, username.strip().lower())), (self._client, (client,))]

    def retry_after(self, client: str, username: str) -> int | None:
        """Seconds to wait if this client may not try this account now, else None."""
        for item, keys in self._limits(client, username):
            if not self._limiter.test(item, *keys):
                reset_at, _ = self._limiter.get_window_stats(item, *keys)
                return max(1, int(reset_at - time.time()) + 1)
        return None

    def failed(self, client: str, username: str) -> None:
        for item, keys in self._limits(client, username):
            self._limiter.hit(item, *keys)
