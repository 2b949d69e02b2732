"""Fan-out of live events (new alerts, camera state changes) from PostgreSQL LISTEN to every
connected browser over server-sent events. One LISTEN connection per API process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg

from central import alerts, auth

log = logging.getLogger(__name__)
# New alerts, alert state changes, camera states, and sessions ended (streams re-check theirs).
CHANNELS = (alerts.CHANNEL, alerts.STATE_CHANNEL, "camera_state", auth.SESSION_CHANNEL)


class LiveHub:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.subscribers: set[asyncio.Queue[tuple[str, str]]] = set()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def subscribe(self) -> asyncio.Queue[tuple[str, str]]:
        q: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=1000)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[tuple[str, str]]) -> None:
        self.subscribers.discard(q)

    async def _listen(self) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
                async with conn:
                    for ch in CHANNELS:
                        await conn.execute(f"LISTEN {ch}")
                    async for n in conn.notifies():
                        for q in list(self.subscribers):
                            with contextlib.suppress(asyncio.QueueFull):
                                q.put_nowait((n.channel, n.payload))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live listener lost its connection; reconnecting")
                await asyncio.sleep(1)
