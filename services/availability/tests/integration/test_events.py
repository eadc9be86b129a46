"""The event stream: one complete, versioned state per change; identity's deactivation."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour.events.v1.identity_events_pb2 import UserDeactivated
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.catalog.availability import decode_rules_changed
from tenfour_shared.events.envelope import build

from .conftest import Harness, every_day, time_range, utc

pytestmark = pytest.mark.integration
ICS = (
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:a@t\nDTSTAMP:20260101T000000Z\n"
    "DTSTART:20260113T130000Z\nDTEND:20260113T140000Z\nEND:VEVENT\nEND:VCALENDAR\n"
)


def rules(zone: str = "UTC", provider_id: str = "p") -> rules_pb2.RuleSet:
    off = rules_pb2.TimeOff(
        label="oncology appointment", range=time_range(utc(2026, 2, 2, 9), utc(2026, 2, 2, 12))
    )
    return rules_pb2.RuleSet(
        provider_id=provider_id, timezone=zone, weekly=every_day((9, 0), (17, 0)), time_off=[off]
    )


async def test_every_change_publishes_the_complete_state_once_with_a_growing_version(
    harness: Harness,
) -> None:
    md = harness.as_provider("p")
    await harness.set_rules(rules())
    await harness.stub.UseDefaultRules(availability_pb2.UseDefaultRulesRequest(provider_id="p"), metadata=md)
    await harness.import_ics("p", ICS)
    await harness.set_rules(rules("Europe/Rome"), expected_version=3)
    for refused in (
        harness.set_rules(rules("Europe/Paris"), expected_version=3),  # stale
        harness.set_rules(rules("Nowhere/Town")),  # invalid
        harness.import_ics("p", "BEGIN:VCALENDAR\n"),  # malformed
    ):
        with pytest.raises(grpc.RpcError):
            await refused

    events = await harness.events(4)
    assert [e.version for e in events] == [1, 2, 3, 4]
    stored = await harness.get_rules("p")
    last = decode_rules_changed(events[-1])
    assert (last.provider_id, last.version, last.active, last.rules.timezone) == ("p", 4, True, "Europe/Rome")
    assert [(b.start, b.end) for b in last.external_busy] == [(utc(2026, 1, 13, 13), utc(2026, 1, 13, 14))]
    assert last.busy_horizon is not None
    assert last.busy_horizon.contains(last.external_busy[0])
    # Complete rule set, canonical, but without the provider's private labels.
    assert stored.time_off[0].label == "oncology appointment"
    assert b"oncology" not in b"".join(e.SerializeToString() for e in events)
    published = events[-1].rules
    assert published.time_off[0].label == ""
    published.time_off[0].label = stored.time_off[0].label
    assert published == stored


async def test_concurrent_changes_get_distinct_versions_published_in_order(harness: Harness) -> None:
    zones = ["UTC", "Europe/Rome", "Asia/Tokyo", "America/Denver", "Africa/Nairobi"] * 2
    replies = await asyncio.gather(*(harness.set_rules(rules(z)) for z in zones))
    assert sorted(r.version for r in replies) == list(range(1, 11))
    events = await harness.events(10)
    assert [e.version for e in events] == list(range(1, 11))
    by_version = {r.version: r.timezone for r in replies}
    assert [e.rules.timezone for e in events] == [by_version[v] for v in range(1, 11)]


async def deactivate(harness: Harness, user_id: str, event_id: str = "") -> str:
    env = build(UserDeactivated(user_id=user_id, reason_code="admin"), subject=user_id, event_id=event_id)
    # A fresh Nats-Msg-Id each time: a redelivery JetStream cannot dedupe, only the consumer.
    await harness.js.publish(
        env.type, env.SerializeToString(), headers={"Nats-Msg-Id": f"{env.id}-{id(env)}"}
    )
    return env.id


async def test_deactivated_providers_stop_being_bookable(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(rules())
    await harness.import_ics("p", ICS)
    event_id = await deactivate(harness, "p")

    events = await harness.events(3)
    before, after = events[1], events[2]
    assert (after.version, after.active, before.active) == (3, False, True)
    assert (after.rules.timezone, list(after.external_busy)) == (
        before.rules.timezone,
        list(before.external_busy),
    )

    stored = await harness.get_rules("p")
    assert (stored.active, stored.version) == (False, 3)
    assert await harness.free("p", utc(2026, 1, 5), utc(2026, 1, 12)) == []
    md = harness.as_provider("p")
    for refused in (
        harness.set_rules(rules("Europe/Rome")),
        harness.stub.UseDefaultRules(availability_pb2.UseDefaultRulesRequest(provider_id="p"), metadata=md),
        harness.import_ics("p", ICS),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            await refused
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    # The same event redelivered, and a second deactivation: nothing more to publish.
    await deactivate(harness, "p", event_id)
    await deactivate(harness, "p")
    assert len(await harness.events(3, settle=0.5)) == 3


async def test_deactivation_before_any_rules_refuses_them_later(harness: Harness) -> None:
    await harness.set_rules(rules(provider_id="q"))
    await deactivate(harness, "p")
    await deactivate(harness, "q")
    await harness.events(2)  # q's deactivation is published, so p's (before it) was handled
    with pytest.raises(grpc.RpcError) as caught:
        await harness.stub.SetRules(
            availability_pb2.SetRulesRequest(rules=rules()),
            metadata=harness.tokens.metadata(Role.SYSTEM_ADMIN),
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(await harness.events(2)) == 2
