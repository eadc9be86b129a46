"""ListAvailability through gRPC: DST in both hemispheres, overnight windows, overrides, time off."""

from __future__ import annotations

from datetime import datetime

import pytest

from tenfour.availability.v1 import rules_pb2
from tenfour.common.v1 import common_pb2

from .conftest import HOUR, Harness, clock, every_day, time_range, utc, weekly

pytestmark = pytest.mark.integration
IND, GROUP, CRISIS = (
    common_pb2.SESSION_TYPE_INDIVIDUAL,
    common_pb2.SESSION_TYPE_GROUP,
    common_pb2.SESSION_TYPE_CRISIS,
)
SAT, SUN = common_pb2.WEEKDAY_SATURDAY, common_pb2.WEEKDAY_SUNDAY


def day(year: int, month: int, date: int) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=year, month=month, day=date)


def starts(free: list[tuple[datetime, datetime, tuple[int, ...]]]) -> list[tuple[datetime, datetime]]:
    return [(start, end) for start, end, _ in free]


@pytest.mark.parametrize(
    ("zone", "first", "expected"),
    [
        # New York springs forward on Sunday 2026-03-08 and falls back on Sunday 2026-11-01.
        (
            "America/New_York",
            utc(2026, 3, 7),
            [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)],
        ),
        (
            "America/New_York",
            utc(2026, 10, 31),
            [utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)],
        ),
        # Sydney falls back on Sunday 2026-04-05 and springs forward on Sunday 2026-10-04.
        (
            "Australia/Sydney",
            utc(2026, 4, 2, 14),
            [utc(2026, 4, 2, 22), utc(2026, 4, 3, 22), utc(2026, 4, 4, 23)],
        ),
        (
            "Australia/Sydney",
            utc(2026, 10, 2, 14),
            [utc(2026, 10, 2, 23), utc(2026, 10, 3, 22), utc(2026, 10, 4, 22)],
        ),
    ],
)
async def test_nine_to_five_stays_nine_to_five_across_dst(
    harness: Harness, zone: str, first: datetime, expected: list[datetime]
) -> None:
    await harness.set_rules(
        rules_pb2.RuleSet(provider_id="p", timezone=zone, weekly=every_day((9, 0), (17, 0)))
    )
    free = await harness.free("p", first, first + 72 * HOUR)
    assert starts(free) == [(s, s + 8 * HOUR) for s in expected]


@pytest.mark.parametrize(
    ("zone", "saturday_evening", "hours"),
    [
        ("America/New_York", utc(2026, 11, 1, 2), 9),  # fall-back night: 22:00 EDT to 06:00 EST
        ("America/New_York", utc(2026, 3, 8, 3), 7),  # spring-forward night: 22:00 EST to 06:00 EDT
        ("Australia/Sydney", utc(2026, 4, 4, 11), 9),  # fall-back night: 22:00 AEDT to 06:00 AEST
        ("Australia/Sydney", utc(2026, 10, 3, 12), 7),  # spring-forward night: 22:00 AEST to 06:00 AEDT
    ],
)
async def test_overnight_window_on_dst_nights_is_wall_clock_long(
    harness: Harness, zone: str, saturday_evening: datetime, hours: int
) -> None:
    rules = rules_pb2.RuleSet(provider_id="p", timezone=zone, weekly=[weekly(SAT, (22, 0), (6, 0), CRISIS)])
    await harness.set_rules(rules)
    free = await harness.free("p", saturday_evening - 12 * HOUR, saturday_evening + 24 * HOUR)
    assert free == [(saturday_evening, saturday_evening + hours * HOUR, (CRISIS,))]


async def test_overnight_windows_cross_midnight_and_belong_to_their_start_day(harness: Harness) -> None:
    rules = rules_pb2.RuleSet(
        provider_id="p",
        timezone="Europe/London",
        weekly=[weekly(common_pb2.WEEKDAY_TUESDAY, (22, 0), (6, 0)), weekly(SUN, (20, 0), (2, 0))],
        # A day off on the Wednesday keeps Tuesday night's window (it starts on Tuesday).
        overrides=[rules_pb2.DateOverride(day=day(2026, 1, 7), day_off=True)],
    )
    await harness.set_rules(rules)
    free = await harness.free("p", utc(2026, 1, 5), utc(2026, 1, 13))
    assert starts(free) == [
        (utc(2026, 1, 6, 22), utc(2026, 1, 7, 6)),
        (utc(2026, 1, 11, 20), utc(2026, 1, 12, 2)),
    ]
    # A day off on the Tuesday removes it.
    rules.overrides[0].day.day = 13
    await harness.set_rules(rules)
    assert starts(await harness.free("p", utc(2026, 1, 13), utc(2026, 1, 15))) == []


async def test_overrides_and_time_off_shape_the_week(harness: Harness) -> None:
    weekdays = [weekly(d, (9, 0), (17, 0)) for d in range(1, 6)]
    off_utc = rules_pb2.TimeOff(range=time_range(utc(2026, 1, 12, 9), utc(2026, 1, 12, 10)))
    off_day = rules_pb2.TimeOff(first_day=day(2026, 1, 9), last_day=day(2026, 1, 9))
    rules = rules_pb2.RuleSet(
        provider_id="p",
        timezone="Europe/Berlin",  # UTC+1 in January
        weekly=weekdays,
        overrides=[
            rules_pb2.DateOverride(
                day=day(2026, 1, 7),
                windows=[rules_pb2.Window(start=clock(12), end=clock(14), offers=[IND, GROUP])],
            ),
            rules_pb2.DateOverride(day=day(2026, 1, 8), day_off=True),
        ],
        time_off=[off_utc, off_day],
    )
    await harness.set_rules(rules)
    free = await harness.free("p", utc(2026, 1, 6), utc(2026, 1, 13))
    assert free == [
        (utc(2026, 1, 6, 8), utc(2026, 1, 6, 16), (IND,)),
        (utc(2026, 1, 7, 11), utc(2026, 1, 7, 13), (IND, GROUP)),
        (utc(2026, 1, 12, 8), utc(2026, 1, 12, 9), (IND,)),
        (utc(2026, 1, 12, 10), utc(2026, 1, 12, 16), (IND,)),
    ]


async def test_session_types_per_window_and_filter(harness: Harness) -> None:
    mon = common_pb2.WEEKDAY_MONDAY
    rules = rules_pb2.RuleSet(
        provider_id="p",
        timezone="UTC",
        weekly=[weekly(mon, (9, 0), (12, 0), IND, GROUP), weekly(mon, (12, 0), (17, 0), IND)],
    )
    await harness.set_rules(rules)
    window = (utc(2026, 1, 12), utc(2026, 1, 13))
    assert await harness.free("p", *window) == [
        (utc(2026, 1, 12, 9), utc(2026, 1, 12, 12), (IND, GROUP)),
        (utc(2026, 1, 12, 12), utc(2026, 1, 12, 17), (IND,)),
    ]
    assert await harness.free("p", *window, session_type=GROUP) == [
        (utc(2026, 1, 12, 9), utc(2026, 1, 12, 12), (GROUP,))
    ]
    assert await harness.free("p", *window, session_type=IND) == [
        (utc(2026, 1, 12, 9), utc(2026, 1, 12, 17), (IND,))
    ]
    assert await harness.free("p", *window, session_type=CRISIS) == []


async def test_nothing_before_now_is_free(harness: Harness) -> None:
    await harness.set_rules(
        rules_pb2.RuleSet(provider_id="p", timezone="UTC", weekly=every_day((9, 0), (17, 0)))
    )
    harness.clock.now = utc(2026, 1, 5, 12, 30)
    free = await harness.free("p", utc(2026, 1, 4), utc(2026, 1, 6))
    assert starts(free) == [(utc(2026, 1, 5, 12, 30), utc(2026, 1, 5, 17))]
