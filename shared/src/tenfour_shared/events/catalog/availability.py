"""Events the availability service produces."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1 import availability_events_pb2 as ev

PAYLOADS: dict[str, type[Message]] = {
    "availability.provider_rules_changed": ev.ProviderRulesChanged,
}
