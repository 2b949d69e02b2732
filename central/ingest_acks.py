"""End-to-end acknowledgements: after a batch commits, each agent is told which of its reads are
safe at central (stored, already stored, or kept in `dead_letters`), so its outbox may forget them.

The broker's PUBACK only says the broker holds a message in memory; a broker killed with `kill -9`
forgets what it had not saved. This message is the only thing that lets a read leave the edge.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from anpr.protocol import ReadAck, topics
from anpr.protocol.messages import MAX_ACK_IDS


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    DEAD = "dead"


@dataclass(frozen=True)
class Settled:
    """One read that central has finished with, and the agent that must hear of it."""

    site_id: str
    agent_id: str
    read_id: UUID
    outcome: Outcome


_ID = re.compile(topics.ID_PATTERN)


def owner_of_dead(topic: str, payload: bytes) -> tuple[str, str, UUID] | None:
    """(site, agent, read id) of a dead-lettered read, read from the raw payload where it can be.

    The site comes from the topic, because the broker's ACL lets an agent publish only under its
    own site; the agent and read id from the payload. None where the payload does not name them
    (then no agent can be told, and a well-behaved agent never sends such a thing)."""
    parsed = topics.parse(topic)
    if parsed is None or parsed[2] != "read":
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    agent, read_id = data.get("agent_id"), data.get("read_id")
    if not isinstance(agent, str) or not _ID.match(agent) or not isinstance(read_id, str):
        return None
    try:
        return parsed[0], agent, UUID(read_id)
    except ValueError:
        return None


def build(settled: list[Settled], now: datetime) -> list[tuple[str, ReadAck]]:
    """(topic, message) per agent, at most MAX_ACK_IDS reads each, in the order the reads came."""
    by_agent: dict[tuple[str, str], list[Settled]] = defaultdict(list)
    for s in settled:
        by_agent[(s.site_id, s.agent_id)].append(s)
    out = []
    for (site, agent), items in by_agent.items():
        for start in range(0, len(items), MAX_ACK_IDS):
            chunk = items[start : start + MAX_ACK_IDS]
            ids: dict[Outcome, list[UUID]] = {o: [] for o in Outcome}
            for s in chunk:
                ids[s.outcome].append(s.read_id)
            out.append(
                (
                    topics.ack_topic(site, agent),
                    ReadAck(
                        site_id=site,
                        agent_id=agent,
                        sent_at=now,
                        stored=ids[Outcome.STORED],
                        duplicate=ids[Outcome.DUPLICATE],
                        dead=ids[Outcome.DEAD],
                    ),
                )
            )
    return out
