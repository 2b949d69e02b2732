"""MQTT topic names of wire protocol v1.

Identifiers may not contain MQTT wildcards or separators, which `ID_PATTERN`
guarantees for every id a message carries.
"""

from __future__ import annotations

ROOT = "anpr/v1"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


def read_topic(site_id: str, camera_id: str) -> str:
    return f"{ROOT}/{site_id}/{camera_id}/read"


def heartbeat_topic(site_id: str, agent_id: str) -> str:
    return f"{ROOT}/{site_id}/{agent_id}/heartbeat"


def status_topic(site_id: str, agent_id: str) -> str:
    return f"{ROOT}/{site_id}/{agent_id}/status"


def ack_topic(site_id: str, agent_id: str) -> str:
    """Central's end-to-end acknowledgements for one agent: only that agent may read it."""
    return f"{ROOT}/{site_id}/{agent_id}/ack"


def alert_topic(priority: int) -> str:
    return f"{ROOT}/alerts/{priority}"


# Subscriptions for the central service; `$share` lets N ingest workers split the load.
READS_ALL = f"{ROOT}/+/+/read"
HEARTBEATS_ALL = f"{ROOT}/+/+/heartbeat"
STATUS_ALL = f"{ROOT}/+/+/status"
ALERTS_ALL = f"{ROOT}/alerts/+"


def shared(group: str, topic: str) -> str:
    return f"$share/{group}/{topic}"


def parse(topic: str) -> tuple[str, str, str] | None:
    """(site_id, camera_or_agent_id, kind) of a read, heartbeat, status or ack topic, else None."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != ROOT or parts[2] == "alerts":
        return None
    return parts[2], parts[3], parts[4]
