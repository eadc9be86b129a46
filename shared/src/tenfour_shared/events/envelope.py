"""Building and opening the CloudEvents-style envelope."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from google.protobuf.message import DecodeError, Message

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared import tracing
from tenfour_shared.events.registry import PAYLOADS, type_of


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


def parse(raw: bytes) -> tuple[Envelope, Message]:
    env = Envelope()
    try:
        env.ParseFromString(raw)
    except DecodeError as exc:
        raise BadEvent("envelope does not decode") from exc
    if not env.id or env.type not in PAYLOADS:
        raise BadEvent(f"unknown event type {env.type[:80]!r}")
    payload = PAYLOADS[env.type][1]()
    try:
        matches = env.data.Unpack(payload)
    except DecodeError as exc:  # the right type URL around corrupt bytes
        raise BadEvent("payload does not decode") from exc
    if not matches:
        raise BadEvent("payload does not match the event type")
    return env, payload
