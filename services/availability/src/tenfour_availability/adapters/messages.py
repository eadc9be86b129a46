"""Provider state as protobuf messages: what is stored, returned by GetRules and published."""

from __future__ import annotations

from functools import lru_cache

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_availability.domain.feeds import Feed, display_url
from tenfour_availability.domain.state import BusyCalendar, ProviderState
from tenfour_shared.events.catalog.availability import (
    interval_from_proto,
    interval_to_proto,
    intervals_to_proto,
    rule_set_to_proto,
)


def rules_message(state: ProviderState, *, labels: bool = True) -> rules_pb2.RuleSet:
    """The provider's rule set as stored and returned; ``labels=False`` for anyone but the provider."""
    if state.rules is None:
        raise ValueError("this provider has no rules")
    message = rule_set_to_proto(state.rules)
    message.active = state.active
    if state.updated_at is not None:
        message.updated_at.FromDatetime(state.updated_at)
    if labels:
        for entry, label in zip(message.time_off, state.labels, strict=False):
            entry.label = label
    return message


def state_event(state: ProviderState) -> ProviderRulesChanged:
    """The complete state for consumers (event-carried state transfer), without private labels."""
    event = ProviderRulesChanged(
        provider_id=state.provider_id,
        version=state.version,
        rules=rules_message(state, labels=False),
        active=state.active,
    )
    if state.busy is not None:
        event.busy_horizon.CopyFrom(interval_to_proto(state.busy.horizon))
        event.external_busy.extend(intervals_to_proto(state.busy.intervals))
    return event


def busy_to_message(busy: BusyCalendar) -> ProviderRulesChanged:
    """Stored busy time: the event's two busy fields, rather than a message of its own."""
    message = ProviderRulesChanged(external_busy=intervals_to_proto(busy.intervals))
    message.busy_horizon.CopyFrom(interval_to_proto(busy.horizon))
    return message


@lru_cache(maxsize=256)
def busy_from_bytes(raw: bytes) -> BusyCalendar:
    message = ProviderRulesChanged()
    message.ParseFromString(raw)
    return BusyCalendar(
        horizon=interval_from_proto(message.busy_horizon),
        intervals=tuple(interval_from_proto(r) for r in message.external_busy),
    )


def feed_message(feed: Feed) -> availability_pb2.BusyCalendarFeed:
    """A subscription's status as the provider sees it (never the full address: it is a secret)."""
    out = availability_pb2.BusyCalendarFeed(
        provider_id=feed.provider_id,
        url_display=display_url(feed.url),
        last_error=feed.last_error,
        last_error_code=feed.last_error_code,
        consecutive_failures=feed.failures,
        paused=feed.paused,
        busy_intervals=feed.busy_intervals,
    )
    for name, when in (
        ("last_synced_at", feed.last_synced_at),
        ("last_attempt_at", feed.last_attempt_at),
        ("next_sync_at", feed.next_at),
    ):
        if when is not None:
            getattr(out, name).FromDatetime(when)
    return out
