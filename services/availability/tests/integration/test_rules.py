"""Setting and reading rules through gRPC: versions, defaults, concurrency, bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import pytest

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour.common.v1 import common_pb2
from tenfour.events.v1.identity_events_pb2 import ProviderProfile, ProviderProfileUpdated
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build

from .conftest import HOUR, Harness, clock, every_day, time_range, utc, violations, weekly

pytestmark = pytest.mark.integration
MON, TUE, WED = common_pb2.WEEKDAY_MONDAY, common_pb2.WEEKDAY_TUESDAY, common_pb2.WEEKDAY_WEDNESDAY
IND, GROUP, CRISIS = (
    common_pb2.SESSION_TYPE_INDIVIDUAL,
    common_pb2.SESSION_TYPE_GROUP,
    common_pb2.SESSION_TYPE_CRISIS,
)


def rules(provider_id: str = "prov-1", zone: str = "Europe/Berlin", **fields: object) -> rules_pb2.RuleSet:
    return rules_pb2.RuleSet(provider_id=provider_id, timezone=zone, **fields)  # type: ignore[arg-type]


async def test_rule_sets_are_versioned_and_read_back_canonical(harness: Harness) -> None:
    # The platform's cross-service tests send only provider and zone: valid, not yet bookable.
    assert (await harness.set_rules(rules())).version == 1
    off = rules_pb2.TimeOff(label="dentist", range=time_range(utc(2026, 2, 3, 8), utc(2026, 2, 3, 10)))
    second = await harness.set_rules(rules(weekly=[weekly(MON, (9, 0), (17, 0))], time_off=[off]))
    assert second.version == 2
    stored = await harness.get_rules("prov-1")
    assert stored == second
    assert (stored.active, stored.updated_at.ToDatetime()) == (True, harness.clock.now.replace(tzinfo=None))
    assert stored.time_off[0].label == "dentist"
    assert [s.session_type for s in stored.sessions] == [IND, GROUP, CRISIS]  # defaults made explicit
    assert list(stored.weekly[0].offers) == [IND]


async def test_output_only_fields_of_the_request_are_ignored(harness: Harness) -> None:
    reply = await harness.set_rules(rules(version=99, active=False))
    assert (reply.version, reply.active) == (1, True)


async def test_get_rules_of_a_provider_without_rules_is_not_found(harness: Harness) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        await harness.get_rules("prov-new")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_expected_version_guards_against_lost_updates(harness: Harness) -> None:
    await harness.set_rules(rules())
    assert (await harness.set_rules(rules(zone="Asia/Tokyo"), expected_version=1)).version == 2
    with pytest.raises(grpc.RpcError) as caught:
        await harness.set_rules(rules(zone="Europe/Paris"), expected_version=1)
    assert caught.value.code() == grpc.StatusCode.ABORTED
    assert (await harness.get_rules("prov-1")).timezone == "Asia/Tokyo"


async def test_default_rules_make_a_provider_bookable_in_one_call(harness: Harness) -> None:
    request = availability_pb2.UseDefaultRulesRequest(provider_id="prov-1", timezone="America/Chicago")
    reply = await harness.stub.UseDefaultRules(request, metadata=harness.as_provider("prov-1"))
    assert (reply.version, len(reply.weekly)) == (1, 5)
    # Wednesday 2026-01-07, 09:00-17:00 Chicago (UTC-6).
    free = await harness.free("prov-1", utc(2026, 1, 7), utc(2026, 1, 8))
    assert free == [(utc(2026, 1, 7, 15), utc(2026, 1, 7, 23), (IND,))]


async def test_default_rules_keep_time_off_and_the_zone(harness: Harness) -> None:
    off = rules_pb2.TimeOff(
        label="leave",
        first_day=common_pb2.LocalDate(year=2026, month=1, day=7),
        last_day=common_pb2.LocalDate(year=2026, month=1, day=7),
    )
    await harness.set_rules(rules(zone="Asia/Kolkata", weekly=every_day((6, 0), (8, 0)), time_off=[off]))
    request = availability_pb2.UseDefaultRulesRequest(provider_id="prov-1")
    reply = await harness.stub.UseDefaultRules(request, metadata=harness.as_provider("prov-1"))
    assert (reply.timezone, reply.version, reply.time_off[0].label) == ("Asia/Kolkata", 2, "leave")
    assert await harness.free("prov-1", utc(2026, 1, 6, 18, 30), utc(2026, 1, 7, 18, 30)) == []


async def test_default_rules_take_the_zone_of_the_identity_profile(harness: Harness) -> None:
    request = availability_pb2.UseDefaultRulesRequest(provider_id="prov-1")
    with pytest.raises(grpc.RpcError) as caught:
        await harness.stub.UseDefaultRules(request, metadata=harness.as_provider("prov-1"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in violations(caught.value)] == ["timezone"]

    for version, zone in ((2, "Pacific/Auckland"), (1, "Europe/Oslo")):  # the older one arrives late
        profile = ProviderProfile(provider_id="prov-1", timezone=zone, active=True)
        env = build(ProviderProfileUpdated(profile=profile, version=version), subject="prov-1")
        await publish_event(harness.js, env)
    for _ in range(200):
        try:
            reply = await harness.stub.UseDefaultRules(request, metadata=harness.as_provider("prov-1"))
            break
        except grpc.RpcError:
            await asyncio.sleep(0.025)
    assert reply.timezone == "Pacific/Auckland"


BAD_RULES = [
    ("unknown zone", rules(zone="Mars/Olympus_Mons"), "rules.timezone", "unknown IANA timezone"),
    (
        "window shorter than a session",
        rules(weekly=[weekly(MON, (9, 0), (9, 45))]),
        "rules.weekly[0].end",
        "shorter than the shortest session",
    ),
    (
        "overlapping windows",
        rules(weekly=[weekly(TUE, (22, 0), (6, 0)), weekly(WED, (5, 0), (9, 0))]),
        "rules.weekly[1]",
        "overlaps weekly[0] (Tue 22:00\u201306:00)",
    ),
    (
        "time off ending before it starts",
        rules(time_off=[rules_pb2.TimeOff(range=time_range(utc(2026, 2, 3, 10), utc(2026, 2, 3, 9)))]),
        "rules.time_off[0].range.end",
        "must be after start",
    ),
    (
        "group window without group settings",
        rules(
            weekly=[weekly(MON, (9, 0), (17, 0), GROUP)],
            sessions=[rules_pb2.SessionSettings(session_type=IND)],
        ),
        "rules.weekly[0].offers",
        "no settings for group",
    ),
    (
        "hour 24",
        rules(
            weekly=[rules_pb2.WeeklyWindow(weekday=MON, start=clock(9), end=common_pb2.LocalTime(hour=24))]
        ),
        "rules.weekly[0].end",
        "hour must be 0-23",
    ),
    ("missing provider", rules(provider_id=""), "rules.provider_id", "is required"),
]


@pytest.mark.parametrize(
    ("rule_set", "field", "message"), [c[1:] for c in BAD_RULES], ids=[c[0] for c in BAD_RULES]
)
async def test_bad_rules_name_the_field_and_change_nothing(
    harness: Harness, rule_set: rules_pb2.RuleSet, field: str, message: str
) -> None:
    before = await harness.stub.SetRules(
        availability_pb2.SetRulesRequest(rules=rules(provider_id=rule_set.provider_id or "prov-1")),
        metadata=harness.tokens.metadata(Role.SYSTEM_ADMIN),
    )
    with pytest.raises(grpc.RpcError) as caught:
        await harness.stub.SetRules(
            availability_pb2.SetRulesRequest(rules=rule_set),
            metadata=harness.tokens.metadata(Role.SYSTEM_ADMIN),
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    found = violations(caught.value)
    assert any(f == field and message in text for f, text in found), found
    assert await harness.get_rules(before.provider_id) == before
    assert len(await harness.events(1)) == 1  # only the first, valid change was published


async def test_range_over_a_year_names_the_range(harness: Harness) -> None:
    await harness.set_rules(rules(weekly=every_day((9, 0), (17, 0))))
    request = availability_pb2.ListAvailabilityRequest(
        provider_id="prov-1", range=time_range(utc(2026, 2, 1), utc(2026, 2, 1) + timedelta(days=367))
    )
    with pytest.raises(grpc.RpcError) as caught:
        await harness.stub.ListAvailability(request, metadata=harness.as_provider("prov-1"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in violations(caught.value)] == ["range"]
    request.range.CopyFrom(time_range(utc(2026, 2, 2), utc(2026, 2, 1)))
    with pytest.raises(grpc.RpcError) as backwards:
        await harness.stub.ListAvailability(request, metadata=harness.as_provider("prov-1"))
    assert [f for f, _ in violations(backwards.value)] == ["range.end"]
    # A full year is fine.
    year = await harness.free("prov-1", utc(2026, 2, 1), utc(2026, 2, 1) + timedelta(days=366))
    assert len(year) == 366
    assert year[0][0] == utc(2026, 2, 1, 8)
    assert year[0][1] - year[0][0] == 8 * HOUR
