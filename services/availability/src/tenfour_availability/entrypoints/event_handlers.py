"""Identity's events, as they concern availability.

* identity.user_deactivated: the provider stops being bookable (a rules-changed event with
  active=false is published) and their availability can no longer change. Deactivation is final.
* identity.provider_profile_updated: the profile's timezone (newest profile version wins) becomes
  the default zone of UseDefaultRules.

Both are idempotent by state, so a redelivered event changes nothing.
"""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfileUpdated, UserDeactivated
from tenfour_availability.service.access import check_provider_id
from tenfour_availability.service.availability import AvailabilityService
from tenfour_availability.service.feeds import CalendarFeeds
from tenfour_shared.calendar import CalendarError
from tenfour_shared.events.consumer import Handler, PermanentFailure


def _provider_id(value: str) -> str:
    try:
        check_provider_id(value)
    except CalendarError as exc:
        raise PermanentFailure(f"not a user id: {exc.violations[0].message}") from None
    return value


def identity_handlers(service: AvailabilityService, feeds: CalendarFeeds) -> dict[str, Handler]:
    async def on_user_deactivated(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, UserDeactivated):
            raise PermanentFailure("payload is not a UserDeactivated")
        await service.deactivate(_provider_id(payload.user_id))
        await feeds.forget(payload.user_id)  # nothing more is fetched for them

    async def on_provider_profile_updated(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, ProviderProfileUpdated):
            raise PermanentFailure("payload is not a ProviderProfileUpdated")
        profile = payload.profile
        if profile.timezone:
            await service.remember_profile_zone(
                _provider_id(profile.provider_id), profile.timezone, payload.version
            )

    return {
        "identity.user_deactivated": on_user_deactivated,
        "identity.provider_profile_updated": on_provider_profile_updated,
    }
