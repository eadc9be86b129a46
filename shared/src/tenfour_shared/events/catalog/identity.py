"""Events the identity service produces."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1 import identity_events_pb2 as ev

PAYLOADS: dict[str, type[Message]] = {
    "identity.agency_registered": ev.AgencyRegistered,
    "identity.user_registered": ev.UserRegistered,
    "identity.user_deactivated": ev.UserDeactivated,
    "identity.provider_profile_updated": ev.ProviderProfileUpdated,
}
