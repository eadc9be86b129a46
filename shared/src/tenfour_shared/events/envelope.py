"""Events as CloudEvents 1.0: built as an `Envelope`, carried on NATS in binary content mode.

In a process and in the Redis outbox an event is the `Envelope` message (attributes + packed
payload). On NATS it is a CloudEvent in binary content mode, written and read through the
`cloudevents` SDK: the attributes are `ce-*` headers (`ce-id`, `ce-type`, `ce-source`,
`ce-specversion`, `ce-time`, `ce-subject`, `ce-dataschema`, `ce-traceparent`), `content-type` is
`application/protobuf`, and the body is the payload message's own protobuf bytes, so any
CloudEvents consumer reads the stream without knowing our envelope.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from cloudevents.core.bindings.http import HTTPMessage, from_binary, to_binary
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from google.protobuf.message import DecodeError, Message

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared import tracing
from tenfour_shared.events.registry import PAYLOADS, type_of

CONTENT_TYPE = "application/protobuf"
_TYPE_URL_PREFIX = "type.googleapis.com/"


class _ProtobufData(JSONFormat):
    """Binary-mode data as the payload's raw protobuf bytes (the JSON format would turn bytes
    that happen to be valid UTF-8 into text)."""

    def read_data(self, body: bytes, datacontenttype: str | None) -> bytes:
        return bytes(body)


_FORMAT = _ProtobufData()


class BadEvent(Exception):
    """An event that can never be processed: corrupt bytes or an unknown type."""


def new_event_id() -> str:
    """Time-ordered unique id (48-bit ms clock + 80 random bits, hex), like a ULID."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


def build(payload: Message, subject: str, when: datetime | None = None, event_id: str = "") -> Envelope:
    kind = type_of(payload)
    source = PAYLOADS[kind][0]
    env = Envelope(
        id=event_id or new_event_id(),
        type=kind,
        source=source,
        subject=subject,
        spec_version="1.0",
        traceparent=tracing.current(),
    )
    env.time.FromDatetime(when or datetime.now(UTC))
    env.data.Pack(payload)
    return env


def nats_subject(env: Envelope) -> str:
    # "availability.provider_rules_changed" is already "<source>.<name>".
    return env.type


def to_cloudevent(env: Envelope) -> CloudEvent:
    attributes: dict[str, object] = {
        "id": env.id,
        "type": env.type,
        "source": env.source,
        "specversion": "1.0",
        "time": env.time.ToDatetime(tzinfo=UTC),
        "datacontenttype": CONTENT_TYPE,
        "dataschema": env.data.type_url,
    }
    if env.subject:  # the spec forbids an empty subject
        attributes["subject"] = env.subject
    if env.traceparent:  # the Distributed Tracing extension
        attributes["traceparent"] = env.traceparent
    return CloudEvent(attributes, env.data.value)


def to_nats(env: Envelope) -> tuple[str, bytes, dict[str, str]]:
    """(subject, body, headers) of the binary-mode message; `Nats-Msg-Id` is the event id."""
    message = to_binary(to_cloudevent(env), _FORMAT)
    return nats_subject(env), message.body, {**message.headers, "Nats-Msg-Id": env.id}


def is_cloudevent(headers: Mapping[str, str] | None) -> bool:
    return any(k.lower() == "ce-specversion" for k in (headers or {}))


def parse(raw: bytes, headers: Mapping[str, str] | None = None) -> tuple[Envelope, Message]:
    """Open a message from NATS (binary-mode CloudEvent) or an `Envelope`'s bytes.

    Messages without `ce-*` headers are read as a serialized `Envelope`: that is the outbox's
    storage format and what was on the streams before events became CloudEvents, so events
    published by an older release are still consumed.
    """
    env = _from_headers(raw, headers) if is_cloudevent(headers) else _from_envelope_bytes(raw)
    if not env.id or env.type not in PAYLOADS:
        raise BadEvent(f"unknown event type {env.type[:80]!r}")
    payload = PAYLOADS[env.type][1]()
    if not env.data.type_url:  # binary mode: the type names the payload message
        env.data.type_url = _TYPE_URL_PREFIX + payload.DESCRIPTOR.full_name
    try:
        matches = env.data.Unpack(payload)
    except DecodeError as exc:  # the right type URL around corrupt bytes
        raise BadEvent("payload does not decode") from exc
    if not matches:
        raise BadEvent("payload does not match the event type")
    return env, payload


def _from_envelope_bytes(raw: bytes) -> Envelope:
    env = Envelope()
    try:
        env.ParseFromString(raw)
    except DecodeError as exc:
        raise BadEvent("envelope does not decode") from exc
    return env


def _from_headers(raw: bytes, headers: Mapping[str, str] | None) -> Envelope:
    try:
        event = from_binary(HTTPMessage(dict(headers or {}), raw), _FORMAT, CloudEvent)
    except (BaseCloudEventException, ValueError, OverflowError) as exc:
        raise BadEvent("CloudEvent attributes do not validate") from exc
    content_type = (event.get_datacontenttype() or "").split(";")[0].strip().lower()
    if content_type != CONTENT_TYPE:
        raise BadEvent(f"unexpected content type {content_type[:40]!r}")
    data = event.get_data()
    env = Envelope(
        id=event.get_id(),
        type=event.get_type(),
        source=event.get_source(),
        subject=event.get_subject() or "",
        spec_version=event.get_specversion(),
        traceparent=str(event.get_extension("traceparent") or ""),
    )
    when = event.get_time()
    if when is not None:
        env.time.FromDatetime(when if when.tzinfo else when.replace(tzinfo=UTC))
    env.data.type_url = event.get_dataschema() or ""
    env.data.value = data if isinstance(data, bytes) else b""
    return env
