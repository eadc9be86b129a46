"""The event envelope: what a producer builds is exactly what a consumer opens, or a BadEvent."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.formats.json import JSONFormat
from google.protobuf.message import Message

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import UserDeactivated, UserRegistered
from tenfour_shared.events.envelope import BadEvent, build, nats_subject, new_event_id, parse, to_nats
from tenfour_shared.events.registry import PAYLOADS, type_of
from tenfour_shared.events.streams import PRODUCERS, dead_letter_subject, stream_name


def test_build_then_parse_gives_back_the_same_event() -> None:
    when = datetime(2026, 3, 8, 2, 30, tzinfo=timezone(timedelta(hours=-5)))
    payload = ProviderRulesChanged(provider_id="prov-1", version=4)

    env = build(payload, subject="prov-1", when=when)
    opened, data = parse(env.SerializeToString())

    assert opened == env
    assert data == payload
    assert opened.type == "availability.provider_rules_changed"
    assert opened.source == "availability"
    assert opened.subject == "prov-1"
    assert opened.spec_version == "1.0"
    assert opened.time.ToDatetime(tzinfo=UTC) == when
    assert nats_subject(opened) == "availability.provider_rules_changed"


def test_build_keeps_a_given_event_id_and_stamps_now_otherwise() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    env = build(UserDeactivated(user_id="u1"), subject="u1")
    after = datetime.now(UTC)

    assert before <= env.time.ToDatetime(tzinfo=UTC) <= after
    assert build(UserDeactivated(user_id="u1"), subject="u1", event_id="fixed-id").id == "fixed-id"


@pytest.mark.parametrize(("kind", "entry"), sorted(PAYLOADS.items()))
def test_every_registered_event_type_round_trips(kind: str, entry: tuple[str, type[Message]]) -> None:
    source, cls = entry

    env, payload = parse(build(cls(), subject="agg-1").SerializeToString())

    assert env.type == kind == type_of(cls())
    assert env.source == source
    assert kind.startswith(f"{source}.")
    assert isinstance(payload, cls)
    assert source in PRODUCERS


def test_an_unregistered_payload_cannot_be_built() -> None:
    with pytest.raises(KeyError, match="Envelope is not a registered event payload"):
        build(Envelope(), subject="x")


def test_event_ids_are_unique() -> None:
    ids = {new_event_id() for _ in range(10_000)}

    assert len(ids) == 10_000


def test_event_ids_carry_their_creation_time_and_sort_by_it() -> None:
    before = int(time.time() * 1000)
    first = new_event_id()
    time.sleep(0.002)
    second = new_event_id()
    after = int(time.time() * 1000)

    assert len(first) == len(second) == 32
    assert before <= int(first[:12], 16) <= int(second[:12], 16) <= after
    assert first < second


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00garbage", b"\x0a\xff\xff\xff\xff\xff", b"not an event at all", b""],
)
def test_garbage_bytes_are_a_bad_event(raw: bytes) -> None:
    with pytest.raises(BadEvent):
        parse(raw)


def test_unknown_event_type_is_a_bad_event() -> None:
    env = build(UserRegistered(user_id="u1"), subject="u1")
    env.type = "identity.user_teleported"

    with pytest.raises(BadEvent, match="unknown event type"):
        parse(env.SerializeToString())


def test_event_without_an_id_is_a_bad_event() -> None:
    env = build(UserRegistered(user_id="u1"), subject="u1")
    env.id = ""

    with pytest.raises(BadEvent):
        parse(env.SerializeToString())


def test_payload_of_another_type_is_a_bad_event() -> None:
    env = build(UserRegistered(user_id="u1"), subject="u1")
    env.type = "identity.user_deactivated"

    with pytest.raises(BadEvent, match="does not match"):
        parse(env.SerializeToString())


def test_corrupt_payload_bytes_are_a_bad_event() -> None:
    # The right type URL around bytes that do not decode: a consumer must dead-letter this,
    # not crash on a protobuf DecodeError and see the same message again forever.
    env = build(ProviderRulesChanged(provider_id="p1", version=1), subject="p1")
    env.data.value = b"\xff\xff\xff\xff"

    with pytest.raises(BadEvent, match="does not decode"):
        parse(env.SerializeToString())


def test_stream_and_dead_letter_names() -> None:
    assert stream_name("availability") == "TENFOUR_AVAILABILITY"
    assert dead_letter_subject("scheduling", "availability_provider_rules_changed") == (
        "deadletter.scheduling.availability_provider_rules_changed"
    )
    assert dead_letter_subject("scheduling", "") == "deadletter.scheduling.unknown"


def test_on_nats_an_event_is_a_binary_mode_cloudevent_with_the_payload_as_protobuf() -> None:
    when = datetime(2026, 11, 1, 6, 30, 15, 250000, tzinfo=UTC)
    payload = ProviderRulesChanged(provider_id="prov-1", version=7)
    env = build(payload, subject="prov-1", when=when, event_id="ev-1")
    env.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    subject, body, headers = to_nats(env)

    assert subject == "availability.provider_rules_changed"
    assert body == payload.SerializeToString()
    assert headers["ce-id"] == headers["Nats-Msg-Id"] == "ev-1"
    assert headers["ce-type"] == "availability.provider_rules_changed"
    assert headers["ce-source"] == "availability"
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-subject"] == "prov-1"
    assert headers["ce-time"] == "2026-11-01T06:30:15.250000Z"
    assert headers["ce-traceparent"] == env.traceparent
    assert headers["content-type"] == "application/protobuf"
    opened, data = parse(body, headers)
    assert (opened, data) == (env, payload)


def test_the_plain_cloudevents_sdk_reads_what_we_write() -> None:
    env = build(UserDeactivated(user_id="u1", reason_code="left"), subject="u1")
    _, body, headers = to_nats(env)

    event = from_http(HTTPMessage(headers, body), JSONFormat())

    assert (event.get_id(), event.get_type(), event.get_source()) == (
        env.id,
        "identity.user_deactivated",
        "identity",
    )
    assert event.get_subject() == "u1"
    assert UserDeactivated.FromString(body) == UserDeactivated(user_id="u1", reason_code="left")


def test_an_event_written_before_cloudevents_is_still_read() -> None:
    env = build(UserDeactivated(user_id="u1"), subject="u1")

    assert parse(env.SerializeToString(), {"Nats-Msg-Id": env.id}) == (env, UserDeactivated(user_id="u1"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ce-type": "nobody.knows"}, "unknown event type"),
        ({"ce-id": ""}, "do not validate"),
        ({"ce-time": "yesterday"}, "do not validate"),
        ({"content-type": "application/json"}, "unexpected content type"),
    ],
)
def test_a_cloudevent_with_bad_attributes_is_a_bad_event(change: dict[str, str], reason: str) -> None:
    _, body, headers = to_nats(build(UserDeactivated(user_id="u1"), subject="u1"))

    with pytest.raises(BadEvent, match=reason):
        parse(body, {**headers, **change})


def test_a_cloudevent_whose_body_is_not_its_payload_is_a_bad_event() -> None:
    _, _, headers = to_nats(build(UserDeactivated(user_id="u1"), subject="u1"))

    with pytest.raises(BadEvent, match="does not decode"):
        parse(b"\xff\xff\xff", headers)
