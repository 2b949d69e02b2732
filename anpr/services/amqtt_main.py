"""Run the pure-Python amqtt broker (MQTT 3.1.1) on 127.0.0.1:PORT until killed."""

from __future__ import annotations

import asyncio
import logging
import sys


def main(port: int) -> None:
    from amqtt.broker import Broker

    logging.basicConfig(level=logging.WARNING)
    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }

    async def run() -> None:
        broker = Broker(config)
        await broker.start()
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main(int(sys.argv[1]))
