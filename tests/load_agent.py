"""A publishing agent for the fault tests, in a process of its own so it can be killed with -9.

It is the edge agent's own outbox and MQTT link fed with generated reads instead of a camera
(a camera pipeline per agent would not fit ten agents on two cores): it writes `--count` reads
at `--rate` per second into its outbox, logs each read id once the outbox holds it, and exits 0
when central has confirmed every read (its outbox is empty), or 3 after `--timeout` seconds.
Run with `--count 0` it only delivers what its outbox already holds, as an agent restarted
after a crash does.

    python -m tests.load_agent --url URL --site F01 --outbox o.sqlite --ids ids.txt --count 300
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from anpr.protocol import encode, topics
from edge.config import BrokerConfig
from edge.mqtt_link import MqttLink
from edge.outbox import Outbox
from tests.factories import make_read


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--outbox", type=Path, required=True)
    ap.add_argument("--ids", type=Path, required=True, help="each read id, a line, once in the outbox")
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--confirm-timeout", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=180.0)
    args = ap.parse_args(argv)
    site, agent, camera = args.site, f"{args.site}-A1", f"{args.site}-C1"
    outbox = Outbox(args.outbox, 512 * 1024 * 1024)
    link = MqttLink(
        BrokerConfig(url=args.url),
        outbox,
        site,
        agent,
        [camera],
        confirm_timeout_s=args.confirm_timeout,
        confirm_backoff_max_s=4 * args.confirm_timeout,
    ).start()
    t0 = time.monotonic()
    with args.ids.open("a") as log:
        for i in range(args.count):
            r = make_read(vrm=f"LD{10 + i % 90}AGT", site=site, camera=camera)
            outbox.put(topics.read_topic(site, camera), encode(r), r.captured_at.timestamp())
            log.write(f"{r.read_id}\n")
            log.flush()
            link.wake()
            time.sleep(max(0.0, t0 + (i + 1) / args.rate - time.monotonic()))
    while outbox.stats().depth and time.monotonic() - t0 < args.timeout:
        time.sleep(0.1)
    drained = outbox.stats().depth == 0
    s = link.stats()
    print(
        json.dumps(
            {"connects": link.connects, "republished": s.republished_total, "confirmed": s.confirmed_total}
        )
    )
    link.stop()
    outbox.close()
    return 0 if drained else 3


if __name__ == "__main__":
    sys.exit(main())
