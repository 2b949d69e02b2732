"""Hits become alerts: one per vehicle pass per hotlist entry, delivered live (SSE via
PostgreSQL NOTIFY), on MQTT `anpr/v1/alerts/{priority}` and to webhooks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg

from anpr.protocol import Alert, Read
from hotlists.matcher import Match

CHANNEL = "alerts"
STATE_CHANNEL = "alert_state"  # an alert acknowledged, closed, reopened or seen again
DISPOSITIONS = ("confirmed", "misread", "no_action", "actioned")
# A hit of a VRM on a list whose alert for it is still open and this recent counts on that alert
# (one card with a count) rather than raising another.
FOLD_WINDOW = timedelta(minutes=15)


def raise_alerts(conn: psycopg.Connection, read: Read, matches: list[Match]) -> list[Alert]:
    """Record hits and alerts for one new read, inside the caller's transaction."""
    if not matches:
        return []
    ids = [m.entry.entry_id for m in matches]
    details = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT entry_id, action, warning_markers, reason FROM hotlist_entries WHERE entry_id = ANY(%s)",
            (ids,),
        )
    }
    alerts = []
    now = datetime.now(UTC)
    for m in matches:
        row = conn.execute(
            "INSERT INTO hits(read_id, captured_at, list_id, revision, entry_id, match_type, "
            "differing_positions, vrm_read, vrm_listed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (read_id, entry_id) DO NOTHING RETURNING hit_id",
            (
                read.read_id,
                read.captured_at,
                m.rule.list_id,
                m.rule.revision,
                m.entry.entry_id,
                m.match_type,
                list(m.differing_positions),
                m.vrm_read,
                m.entry.vrm,
            ),
        ).fetchone()
        if row is None:
            continue  # this pass already alerted for this entry
        open_alert = conn.execute(
            "SELECT alert_id FROM alerts WHERE state <> 'closed' AND created_at > %s "
            "AND message->>'vrm_listed' = %s AND message->>'list_name' = %s ORDER BY created_at DESC LIMIT 1",
            (now - FOLD_WINDOW, m.entry.vrm, m.rule.name),
        ).fetchone()
        if open_alert is not None:
            # Seen again while its alert is open: counted there, and every console told.
            conn.execute(
                "UPDATE alerts SET repeats = repeats + 1, last_hit_at = %s WHERE alert_id = %s",
                (read.captured_at, open_alert[0]),
            )
            conn.execute("SELECT pg_notify(%s, %s)", (STATE_CHANNEL, str(open_alert[0])))
            continue
        action, markers, reason = details.get(m.entry.entry_id, ("", [], ""))
        # Possible (fuzzy) hits need a person to verify: they rank below exact ones.
        priority = min(9, m.rule.priority + (0 if m.match_type == "exact" else 1))
        alert = Alert(
            alert_id=uuid4(),
            priority=priority,
            read_id=read.read_id,
            vrm_read=m.vrm_read,
            vrm_listed=m.entry.vrm,
            match_type=m.match_type,
            differing_positions=list(m.differing_positions),
            list_name=m.rule.name,
            list_revision=m.rule.revision,
            action=action,
            warning_markers=list(markers),
            reason=reason,
            site_id=read.site_id,
            camera_id=read.camera_id,
            lane=read.lane,
            direction=read.direction,
            captured_at=read.captured_at,
            raised_at=now,
            confidence=read.confidence,
        )
        conn.execute(
            "INSERT INTO alerts(alert_id, hit_id, priority, message) VALUES (%s, %s, %s, %s)",
            (alert.alert_id, row[0], priority, alert.model_dump_json()),
        )
        conn.execute(
            "INSERT INTO webhook_deliveries(webhook_id, alert_id) SELECT webhook_id, %s "
            "FROM webhooks WHERE enabled AND min_priority >= %s",
            (alert.alert_id, priority),
        )
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(alert.alert_id)))
        alerts.append(alert)
    return alerts


@dataclass(frozen=True)
class Transition:
    """The server's answer to an operator's action: whether it changed the alert, and the alert as
    it now stands (which may be another operator's doing)."""

    changed: bool
    alert: dict | None
    reason: str = ""


def _changed(conn: psycopg.Connection, alert_id: str) -> Transition:
    # Every console shows the change: the live stream sends the alert again to all of them.
    conn.execute("SELECT pg_notify(%s, %s)", (STATE_CHANNEL, alert_id))
    return Transition(True, alert_message(conn, alert_id))


def _refused(conn: psycopg.Connection, alert_id: str, why: str) -> Transition:
    msg = alert_message(conn, alert_id)
    if msg is None:
        return Transition(False, None, "no such alert")
    return Transition(False, msg, f"{why}: {describe_state(msg)}")


def describe_state(msg: dict) -> str:
    if msg["state"] == "closed":
        return f"closed as {msg['disposition']} by {msg['disposed_by']}"
    if msg["state"] == "acknowledged":
        return f"acknowledged by {msg['acknowledged_by']}"
    return "new"


def acknowledge(conn: psycopg.Connection, alert_id: str, user: str) -> Transition:
    row = conn.execute(
        "UPDATE alerts SET state = 'acknowledged', acknowledged_by = %s, "
        "acknowledged_at = now() WHERE alert_id = %s AND state = 'new' RETURNING 1",
        (user, alert_id),
    ).fetchone()
    return _changed(conn, alert_id) if row else _refused(conn, alert_id, "already taken")


def dispose(
    conn: psycopg.Connection,
    alert_id: str,
    disposition: str,
    user: str,
    note: str = "",
    incident_ref: str = "",
) -> Transition:
    """Close an alert. A closed alert's disposition is final: a second one is refused (a
    supervisor reopens it first), so two consoles cannot overwrite each other."""
    if disposition not in DISPOSITIONS:
        raise ValueError(f"disposition must be one of {', '.join(DISPOSITIONS)}")
    row = conn.execute(
        "UPDATE alerts SET state = 'closed', disposition = %s, disposed_by = %s, disposed_at = now(), "
        "disposition_note = %s, incident_ref = %s, "
        "acknowledged_by = COALESCE(acknowledged_by, %s), acknowledged_at = COALESCE(acknowledged_at, now()) "
        "WHERE alert_id = %s AND state <> 'closed' RETURNING 1",
        (disposition, user, note, incident_ref, user, alert_id),
    ).fetchone()
    return _changed(conn, alert_id) if row else _refused(conn, alert_id, "already closed")


def reopen(conn: psycopg.Connection, alert_id: str, user: str) -> Transition:
    """A supervisor's correction: the alert goes back to acknowledged, its disposition cleared
    (the audit trail keeps the old one)."""
    row = conn.execute(
        "UPDATE alerts SET state = 'acknowledged', disposition = NULL, disposed_by = NULL, "
        "disposed_at = NULL, disposition_note = '', incident_ref = '', reopened_by = %s, "
        "reopened_at = now() WHERE alert_id = %s AND state = 'closed' RETURNING 1",
        (user, alert_id),
    ).fetchone()
    return _changed(conn, alert_id) if row else _refused(conn, alert_id, "not closed")


def alert_message(conn: psycopg.Connection, alert_id: str) -> dict | None:
    """The alert as a console shows it: the message raised, its state, and what lets an operator
    verify the vehicle (the listed make, model and colour; the site's name and area)."""
    row = conn.execute(
        "SELECT a.message, a.state, a.disposition, a.acknowledged_by, a.disposed_by, a.disposition_note, "
        "a.incident_ref, a.reopened_by, e.make, e.model, e.colour, s.name, s.area, a.repeats, a.last_hit_at, "
        "l.colour, l.sound "
        "FROM alerts a JOIN hits h USING (hit_id) LEFT JOIN hotlist_entries e ON e.entry_id = h.entry_id "
        "LEFT JOIN sites s ON s.site_id = a.message->>'site_id' "
        "LEFT JOIN hotlists l ON l.name = a.message->>'list_name' WHERE a.alert_id = %s",
        (alert_id,),
    ).fetchone()
    if row is None:
        return None
    msg = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    msg.update(
        state=row[1],
        disposition=row[2],
        acknowledged_by=row[3],
        disposed_by=row[4],
        disposition_note=row[5],
        incident_ref=row[6],
        reopened_by=row[7],
        vehicle={"make": row[8] or "", "model": row[9] or "", "colour": row[10] or ""},
        site_name=row[11] or "",
        site_area=row[12] or "",
        repeats=row[13],
        last_hit_at=row[14].isoformat() if row[14] else None,
        list_colour=row[15] or "",
        list_sound=row[16] or "beep",
    )
    return msg
