"""MQTT security on a real Mosquitto set up as `anpr services` deploys it: no anonymous
clients, one account per agent whose ACL confines it to its own site, TLS client
certificates from the project CA, central accounts that can do their job and no more."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from anpr.mqtt_client import TlsFiles, new_client
from anpr.security import mqtt_accounts, pki
from anpr.services import broker


@pytest.fixture()
def secure(mqtt_broker):  # type: ignore[no-untyped-def]
    if mqtt_broker is None:
        pytest.skip("mosquitto is installed by `make test`")
    return mqtt_broker


def try_connect(url: str, tls: TlsFiles | None = None, timeout: float = 5):  # type: ignore[no-untyped-def]
    """(client, reason) where reason is 'ok', the broker's refusal, or the transport error."""
    client, target = new_client(url, f"t-{uuid.uuid4().hex[:8]}", tls=tls)
    done = threading.Event()
    outcome: list[str] = []

    def on_connect(c, u, f, rc, p) -> None:  # type: ignore[no-untyped-def]
        outcome.append("ok" if not rc.is_failure else str(rc))
        done.set()

    client.on_connect = on_connect
    try:
        client.connect(target.host, target.port)
    except Exception as exc:  # TLS refusal surfaces here or as a dropped connection
        return client, f"error: {exc}"
    client.loop_start()
    done.wait(timeout)
    return client, outcome[0] if outcome else "no connection"


class Listener:
    """A subscriber that records every topic it receives."""

    def __init__(self, url: str, topic: str = "anpr/#", tls: TlsFiles | None = None) -> None:
        self.topics: list[str] = []
        self.c, reason = try_connect(url, tls)
        assert reason == "ok", reason
        subscribed = threading.Event()
        self.granted: list[int] = []
        self.c.on_subscribe = lambda c, u, mid, rcs, p: (
            self.granted.extend(r.value for r in rcs),
            subscribed.set(),
        )
        self.c.on_message = lambda c, u, m: self.topics.append(m.topic)
        self.c.subscribe(topic, qos=1)
        assert subscribed.wait(5)

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def issue_agent(rec, site: str) -> tuple[str, pki.Identity]:  # type: ignore[no-untyped-def]
    """Issue an agent through the CLI, as a deployer would, then reload the test broker."""
    name = f"{site}-A{uuid.uuid4().hex[:6]}"
    pki_dir = Path(rec.pki_dir)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "anpr.cli.main",
            "certs",
            "issue",
            name,
            "--site",
            site,
            "--dir",
            str(pki_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert f"publishes reads, heartbeats and status under anpr/v1/{site}/" in out.stdout
    broker.reload(rec)
    time.sleep(0.3)
    return name, pki.identity(pki_dir, name)


def tls_url(rec) -> str:  # type: ignore[no-untyped-def]
    return f"mqtts://127.0.0.1:{rec.tls_port}"


def test_anonymous_and_wrong_passwords_are_refused(secure) -> None:  # type: ignore[no-untyped-def]
    port = int(secure.url.rsplit(":", 1)[1])
    _, anon = try_connect(f"mqtt://127.0.0.1:{port}")
    assert anon == "Not authorized"
    _, wrong = try_connect(f"mqtt://{mqtt_accounts.TOOL_ACCOUNT}:guess@127.0.0.1:{port}")
    assert wrong == "Not authorized"
    c, right = try_connect(broker.account_url(secure, mqtt_accounts.TOOL_ACCOUNT))
    assert right == "ok"
    c.disconnect()


def test_an_agent_publishes_only_under_its_own_site_and_reads_only_its_acks(secure) -> None:  # type: ignore[no-untyped-def]
    name, ident = issue_agent(secure, "S05")
    other, _ = issue_agent(secure, "S05")
    tls = TlsFiles(ident.ca_file, ident.cert_file, ident.key_file)
    watcher = Listener(broker.account_url(secure, mqtt_accounts.TOOL_ACCOUNT))
    agent, reason = try_connect(tls_url(secure), tls)
    assert reason == "ok"
    nosy = Listener(tls_url(secure), "anpr/#", tls)  # MQTT 3.1.1: granted, but the ACL delivers nothing
    own_acks = Listener(tls_url(secure), f"anpr/v1/S05/{name}/ack", tls)
    own = f"anpr/v1/S05/{name}/heartbeat"
    forged_ack = f"anpr/v1/S05/{other}/ack"
    for topic in (own, "anpr/v1/S06/S06-C1/read", "anpr/v1/alerts/1", "elsewhere/x", forged_ack):
        agent.publish(topic, b"{}", qos=1).wait_for_publish(5)
    watcher.c.publish("anpr/v1/S05/S05-C1/read", b"{}", qos=1).wait_for_publish(5)
    ingest = Listener(broker.account_url(secure, mqtt_accounts.INGEST_ACCOUNT))
    for ack in (f"anpr/v1/S05/{name}/ack", forged_ack):
        ingest.c.publish(ack, b"{}", qos=1).wait_for_publish(5)
    time.sleep(1.0)
    mine = [t for t in watcher.topics if name in t or "S06" in t or "alerts" in t]
    assert mine == [own, f"anpr/v1/S05/{name}/ack"], f"only the agent's own-site publish may pass, saw {mine}"
    assert watcher.topics.count(forged_ack) == 1, "an agent may not publish acknowledgements"
    assert set(nosy.topics) <= {f"anpr/v1/S05/{name}/ack"}, "an agent may not read other traffic"
    assert own_acks.topics == [f"anpr/v1/S05/{name}/ack"], "an agent reads its own acks, no one else's"
    for c in (watcher, nosy, own_acks, ingest):
        c.close()
    agent.disconnect()


def test_tls_needs_a_client_certificate_from_the_project_ca(secure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ca = Path(secure.pki_dir) / "ca.crt"
    _, no_cert = try_connect(tls_url(secure), TlsFiles(ca))
    assert no_cert != "ok"
    rogue_dir = tmp_path / "rogue"
    pki.init_ca(rogue_dir)
    rogue = pki.issue(rogue_dir, "S05-A1")  # right name, wrong CA
    _, forged = try_connect(tls_url(secure), TlsFiles(ca, rogue.cert_file, rogue.key_file))
    assert forged != "ok"
    _, plain = try_connect(f"mqtt://127.0.0.1:{secure.tls_port}")  # TLS port without TLS
    assert plain != "ok"


def test_ingest_reads_everything_and_publishes_only_alerts(secure) -> None:  # type: ignore[no-untyped-def]
    ingest_url = broker.account_url(secure, mqtt_accounts.INGEST_ACCOUNT)
    watcher = Listener(broker.account_url(secure, mqtt_accounts.TOOL_ACCOUNT))
    ingest = Listener(ingest_url, "$share/sec-test/anpr/v1/+/+/read")
    tag = uuid.uuid4().hex[:6]
    tool = watcher.c
    tool.publish(f"anpr/v1/S07/C{tag}/read", b"{}", qos=1).wait_for_publish(5)
    ingest.c.publish(f"anpr/v1/S07/F{tag}/read", b"forged", qos=1).wait_for_publish(5)
    ingest.c.publish("anpr/v1/alerts/1", tag.encode(), qos=1).wait_for_publish(5)
    time.sleep(1.0)
    assert f"anpr/v1/S07/C{tag}/read" in ingest.topics
    assert f"anpr/v1/S07/F{tag}/read" not in watcher.topics, "ingest may not forge reads"
    assert "anpr/v1/alerts/1" in watcher.topics
    for c in (watcher, ingest):
        c.close()


def test_account_rules_and_names_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="site_id"):
        mqtt_accounts.Account(name="S01-A1", role=mqtt_accounts.Role.AGENT)
    with pytest.raises(ValueError):
        mqtt_accounts.Account(name="S01/#", role=mqtt_accounts.Role.AGENT, site_id="S01")
    pki.init_ca(tmp_path)
    with pytest.raises(pki.PkiError):
        pki.issue(tmp_path, "ca")
    acl = mqtt_accounts.acl_text(
        mqtt_accounts.Accounts(
            accounts={
                "S01-A1": mqtt_accounts.Account(name="S01-A1", role=mqtt_accounts.Role.AGENT, site_id="S01")
            }
        )
    )
    assert "user S01-A1\ntopic write anpr/v1/S01/+/read\ntopic write anpr/v1/S01/+/heartbeat\n" in acl
    assert [line for line in acl.splitlines() if line.startswith("topic read")] == [
        "topic read anpr/v1/S01/S01-A1/ack"
    ]
    for key in tmp_path.glob("*.key"):
        assert key.stat().st_mode & 0o077 == 0, f"{key} is readable by others"
