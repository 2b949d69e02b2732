from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anpr.ids import uuid7, uuid7_unix_ms
from anpr.protocol import ProtocolError, Read, Status, decode, encode, topics
from anpr.protocol.messages import MAX_OVERVIEW_JPEG_BYTES, MAX_PLATE_JPEG_BYTES
from anpr.protocol.schema_export import SCHEMA_DIR, schemas
from tests.factories import JPEG, make_heartbeat, make_read


def test_read_round_trip() -> None:
    read = make_read()
    assert decode(encode(read)) == read


def test_committed_schemas_match_models() -> None:
    for name, schema in schemas().items():
        committed = json.loads((SCHEMA_DIR / name).read_text())
        assert committed == json.loads(json.dumps(schema)), f"{name} is stale: run anpr protocol schemas"


@pytest.mark.parametrize(
    "message",
    [make_read(), make_heartbeat(), Status(site_id="S01", agent_id="A1", state="offline")],
)
def test_schemas_validate_real_messages(message: object) -> None:
    data = json.loads(encode(message))  # type: ignore[arg-type]
    schema = json.loads((SCHEMA_DIR / f"{data['kind']}.v1.json").read_text())
    jsonschema.validate(data, schema)


def test_schema_rejects_what_the_model_rejects() -> None:
    data = json.loads(encode(make_read()))
    data["vrm"] = "ab 51"
    schema = json.loads((SCHEMA_DIR / "read.v1.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_errors_name_the_field() -> None:
    data = json.loads(encode(make_read()))
    data["confidence"] = 1.5
    with pytest.raises(ProtocolError) as err:
        decode(json.dumps(data))
    assert err.value.field == "confidence"
    data = json.loads(encode(make_read()))
    data["candidates"] = [{"vrm": "", "confidence": 0.5}]
    with pytest.raises(ProtocolError) as err:
        decode(json.dumps(data))
    assert err.value.field == "candidates.0.vrm"


def test_unknown_version_and_kind() -> None:
    data = json.loads(encode(make_read()))
    with pytest.raises(ProtocolError, match="unsupported version 2") as err:
        decode(json.dumps({**data, "schema_version": 2}))
    assert err.value.field == "schema_version"
    with pytest.raises(ProtocolError) as err:
        decode(json.dumps({**data, "kind": "parking"}))
    assert err.value.field == "kind"
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decode(b"{not json")


def test_image_limits() -> None:
    with pytest.raises(ValueError, match="plate_jpeg"):
        make_read(plate_jpeg=JPEG + b"\x00" * MAX_PLATE_JPEG_BYTES)
    with pytest.raises(ValueError, match="overview_jpeg"):
        make_read(overview_jpeg=JPEG + b"\x00" * MAX_OVERVIEW_JPEG_BYTES)
    with pytest.raises(ValueError, match="JPEG"):
        make_read(plate_jpeg=b"PNG...")
    # Both images at their limits still fit the stated maximum message size.
    big = make_read(
        plate_jpeg=JPEG + b"\x00" * (MAX_PLATE_JPEG_BYTES - len(JPEG)),
        overview_jpeg=JPEG + b"\x00" * (MAX_OVERVIEW_JPEG_BYTES - len(JPEG)),
    )
    assert decode(encode(big)) == big


def test_read_id_must_be_uuid7() -> None:
    import uuid

    with pytest.raises(ValueError, match="UUIDv7"):
        make_read(read_id=uuid.uuid4())


def test_naive_times_rejected() -> None:
    with pytest.raises(ValueError, match="time zone"):
        make_read(captured_at=datetime(2026, 1, 1, 12, 0))


def test_uuid7_is_time_ordered() -> None:
    ids = [uuid7(1_700_000_000_000 + i) for i in range(50)]
    assert ids == sorted(ids)
    assert all(u.version == 7 and u.variant == "specified in RFC 4122" for u in ids)
    assert uuid7_unix_ms(ids[3]) == 1_700_000_000_003


def test_topics() -> None:
    assert topics.read_topic("S01", "S01-C1") == "anpr/v1/S01/S01-C1/read"
    assert topics.parse("anpr/v1/S01/S01-C1/read") == ("S01", "S01-C1", "read")
    assert topics.parse("anpr/v1/alerts/1") is None
    assert topics.shared("ingest", topics.READS_ALL) == "$share/ingest/anpr/v1/+/+/read"


vrms = st.text(alphabet="ABCDEFGHJKLMNOPRSTUVWXYZ0123456789", min_size=1, max_size=8)


@given(
    vrm=vrms,
    conf=st.floats(0, 1),
    lane=st.none() | st.integers(0, 16),
    box=st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.integers(1, 500), st.integers(1, 500)),
    frames=st.integers(1, 10_000),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    plate=st.binary(max_size=MAX_PLATE_JPEG_BYTES - 2),
)
@settings(max_examples=150)
def test_read_round_trip_property(vrm, conf, lane, box, frames, when, plate) -> None:  # type: ignore[no-untyped-def]
    x, y, w, h = box
    read = make_read(
        vrm=vrm,
        raw_text=vrm,
        confidence=conf,
        lane=lane,
        box=(x, y, x + w, y + h),
        frames_seen=frames,
        captured_at=when,
        plate_jpeg=b"\xff\xd8" + plate,
        char_confidences=[conf] * len(vrm),
    )
    back = decode(encode(read))
    assert back == read
    assert isinstance(back, Read)


def test_mqtt_urls() -> None:
    from anpr.mqtt_url import parse_mqtt_url

    t = parse_mqtt_url("mqtts://edge%40s01:p%3Ass@broker.example:8884")
    assert (t.host, t.port, t.tls, t.username, t.password) == (
        "broker.example",
        8884,
        True,
        "edge@s01",
        "p:ss",
    )
    assert parse_mqtt_url("mqtt://127.0.0.1").port == 1883
    assert parse_mqtt_url("mqtts://h").port == 8883
    with pytest.raises(ValueError, match="mqtt://host"):
        parse_mqtt_url("http://h:1883")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b'{"schema_version": [1], "kind": "read"}', "schema_version"),
        (b'{"schema_version": true, "kind": "read"}', "schema_version"),
        (b'{"schema_version": 1, "kind": {"a": 1}}', "kind"),
        (b"[" * 50_000 + b"]" * 50_000, ""),
        (b'{"schema_version": 1, "kind": "read", "lane": ' + b"9" * 5000 + b"}", ""),
    ],
)
def test_hostile_payloads_are_protocol_errors(payload: bytes, field: str) -> None:
    with pytest.raises(ProtocolError) as exc:
        decode(payload)
    assert exc.value.field == field


def test_nul_characters_are_refused_with_the_field() -> None:
    data = json.loads(encode(make_read()))
    data["raw_text"] = "AB\u000051"
    with pytest.raises(ProtocolError) as exc:
        decode(json.dumps(data))
    assert exc.value.field == "raw_text" and "NUL" in exc.value.reason


def test_acks_are_grouped_per_agent_and_split_at_the_protocol_limit() -> None:
    from uuid import uuid4

    from anpr.protocol.messages import MAX_ACK_IDS
    from central.ingest_acks import Outcome, Settled, build, owner_of_dead

    settled = [Settled("S01", "S01-A1", uuid4(), Outcome.STORED) for _ in range(MAX_ACK_IDS + 5)]
    settled += [Settled("S02", "S02-A1", uuid4(), Outcome.DEAD)]
    out = build(settled, datetime.now(UTC))
    assert [(t, len(a.read_ids())) for t, a in out] == [
        ("anpr/v1/S01/S01-A1/ack", MAX_ACK_IDS),
        ("anpr/v1/S01/S01-A1/ack", 5),
        ("anpr/v1/S02/S02-A1/ack", 1),
    ]
    assert all(len(encode(a)) <= 64 * 1024 for _, a in out)
    assert decode(encode(out[2][1])) == out[2][1]
    rid = uuid4()
    body = f'{{"read_id": "{rid}", "agent_id": "S07-A1", "vrm": 5}}'.encode()
    assert owner_of_dead("anpr/v1/S07/S07-C1/read", body) == ("S07", "S07-A1", rid)
    assert owner_of_dead("anpr/v1/S07/S07-C1/read", b"{oops") is None
    assert owner_of_dead("anpr/v1/S07/S07-A1/heartbeat", body) is None
