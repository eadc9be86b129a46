"""ImportBusyCalendar through gRPC: recurrences, all-day events, re-import, bad calendars, horizon."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from tenfour.availability.v1 import rules_pb2
from tenfour.common.v1 import common_pb2

from .conftest import Harness, utc, violations, weekly

pytestmark = pytest.mark.integration
IND = common_pb2.SESSION_TYPE_INDIVIDUAL

SUPERVISION = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tenfour tests//EN
BEGIN:VEVENT
UID:supervision@example.test
DTSTAMP:20251201T000000Z
DTSTART;TZID=Europe/Berlin:20260105T100000
DTEND;TZID=Europe/Berlin:20260105T113000
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;TZID=Europe/Berlin:20260112T100000
SUMMARY:Supervision
END:VEVENT
BEGIN:VEVENT
UID:training@example.test
DTSTAMP:20251201T000000Z
DTSTART;VALUE=DATE:20260107
DTEND;VALUE=DATE:20260108
SUMMARY:Training day
END:VEVENT
BEGIN:VEVENT
UID:tentative@example.test
DTSTAMP:20251201T000000Z
DTSTART:20260106T090000Z
DTEND:20260106T100000Z
TRANSP:TRANSPARENT
END:VEVENT
END:VCALENDAR
"""

DENTIST = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tenfour tests//EN
BEGIN:VEVENT
UID:dentist@example.test
DTSTAMP:20251201T000000Z
DTSTART:20260113T130000Z
DTEND:20260113T140000Z
END:VEVENT
END:VCALENDAR
"""


def berlin_weekdays(zone: str = "Europe/Berlin") -> rules_pb2.RuleSet:
    return rules_pb2.RuleSet(
        provider_id="p", timezone=zone, weekly=[weekly(d, (9, 0), (17, 0)) for d in range(1, 6)]
    )


async def test_recurring_all_day_and_transparent_events(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    reply = await harness.import_ics("p", SUPERVISION)
    assert reply.version == 2
    assert reply.horizon.start.ToDatetime() == utc(2025, 12, 31).replace(tzinfo=None)
    free = await harness.free("p", utc(2026, 1, 5), utc(2026, 1, 20))
    assert [(s, e) for s, e, _ in free] == [
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 9)),  # Monday: 10:00-11:30 Berlin is busy
        (utc(2026, 1, 5, 10, 30), utc(2026, 1, 5, 16)),
        (utc(2026, 1, 6, 8), utc(2026, 1, 6, 16)),  # a transparent event is not busy
        # Wednesday the 7th: the all-day event blocks the whole Berlin day.
        (utc(2026, 1, 8, 8), utc(2026, 1, 8, 16)),
        (utc(2026, 1, 9, 8), utc(2026, 1, 9, 16)),
        (utc(2026, 1, 12, 8), utc(2026, 1, 12, 16)),  # EXDATE: no supervision this Monday
        (utc(2026, 1, 13, 8), utc(2026, 1, 13, 16)),
        (utc(2026, 1, 14, 8), utc(2026, 1, 14, 16)),
        (utc(2026, 1, 15, 8), utc(2026, 1, 15, 16)),
        (utc(2026, 1, 16, 8), utc(2026, 1, 16, 16)),
        (utc(2026, 1, 19, 8), utc(2026, 1, 19, 9)),
        (utc(2026, 1, 19, 10, 30), utc(2026, 1, 19, 16)),
    ]


async def test_a_new_import_replaces_the_previous_one(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    await harness.import_ics("p", SUPERVISION)
    reply = await harness.import_ics("p", DENTIST)
    assert (reply.version, reply.busy_intervals) == (3, 1)
    free = await harness.free("p", utc(2026, 1, 12), utc(2026, 1, 14))
    assert [(s, e) for s, e, _ in free] == [
        (utc(2026, 1, 12, 8), utc(2026, 1, 12, 16)),
        (utc(2026, 1, 13, 8), utc(2026, 1, 13, 13)),
        (utc(2026, 1, 13, 14), utc(2026, 1, 13, 16)),
    ]
    events = await harness.events(3)
    assert [e.version for e in events] == [1, 2, 3]
    assert not events[0].HasField("busy_horizon")
    assert not events[0].external_busy
    assert len(events[1].external_busy) == 52 - 1 + 1  # 52 Mondays in the horizon, one EXDATE, training
    assert len(events[2].external_busy) == 1


@pytest.mark.parametrize(
    ("ics", "line", "message"),
    [
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260105T100000Z\nEND:VCALENDAR\n", 4, "does not close"),
        (
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR\n",
            3,
            "DTSTART",
        ),
        ("BEGIN:VCALENDAR\nthis is not ical\nEND:VCALENDAR\n", 2, "not an iCalendar content line"),
    ],
)
async def test_malformed_calendars_name_the_line_and_change_nothing(
    harness: Harness, ics: str, line: int, message: str
) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    await harness.import_ics("p", DENTIST)
    with pytest.raises(grpc.RpcError) as caught:
        await harness.import_ics("p", ics)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [(field, text)] = violations(caught.value)
    assert field == "ics"
    assert text.startswith(f"line {line}: ")
    assert message in text
    assert (await harness.get_rules("p")).version == 2
    free = await harness.free("p", utc(2026, 1, 13), utc(2026, 1, 14))
    assert [(s, e) for s, e, _ in free] == [
        (utc(2026, 1, 13, 8), utc(2026, 1, 13, 13)),
        (utc(2026, 1, 13, 14), utc(2026, 1, 13, 16)),
    ]


async def test_importing_needs_rules_first(harness: Harness) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        await harness.import_ics("p", DENTIST)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_beyond_the_stored_horizon_the_calendar_is_expanded_on_demand(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    reply = await harness.import_ics("p", SUPERVISION)
    assert reply.horizon.end.ToDatetime() < utc(2027, 2, 1).replace(tzinfo=None)
    free = await harness.free("p", utc(2027, 2, 1), utc(2027, 2, 2))  # a Monday, Berlin UTC+1
    assert [(s, e) for s, e, _ in free] == [
        (utc(2027, 2, 1, 8), utc(2027, 2, 1, 9)),
        (utc(2027, 2, 1, 10, 30), utc(2027, 2, 1, 16)),
    ]


async def test_a_new_zone_moves_all_day_events_with_it(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    await harness.import_ics("p", SUPERVISION)
    await harness.set_rules(berlin_weekdays("America/New_York"))
    free = await harness.free("p", utc(2026, 1, 7), utc(2026, 1, 9))
    # The training day now blocks Wednesday in New York: 2026-01-07 05:00Z to 2026-01-08 05:00Z.
    assert [(s, e) for s, e, _ in free] == [(utc(2026, 1, 8, 14), utc(2026, 1, 8, 22))]


async def refresher_passes(n: int) -> None:
    """Until the busy-calendar refresher has completed `n` more passes (the positive marker that
    it looked, before asserting what it did not do)."""
    labels = {"service": "availability", "job": "busy_refresh"}

    def passes() -> float:
        return REGISTRY.get_sample_value("tenfour_background_passes_total", labels) or 0.0

    start = passes()
    async with asyncio.timeout(10):
        while passes() < start + n:  # noqa: ASYNC110 (a counter, polled: no event to await)
            await asyncio.sleep(0.01)


async def test_the_horizon_is_refreshed_as_time_passes(harness: Harness) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    await harness.import_ics("p", SUPERVISION)
    harness.clock.now += timedelta(days=6)
    await refresher_passes(2)  # two whole passes at day 6: not stale yet, nothing refreshed
    harness.clock.now += timedelta(days=2)
    events = await harness.events(3)
    first, refreshed = events[1], events[2]
    assert refreshed.version == 3
    assert refreshed.busy_horizon.start.ToDatetime() == utc(2026, 1, 8).replace(tzinfo=None)
    assert refreshed.busy_horizon.end.ToDatetime() > first.busy_horizon.end.ToDatetime()
    # Past busy time dropped, another week of Mondays added (10:00 Berlin is 09:00 UTC).
    assert refreshed.external_busy[0].start.ToDatetime() == utc(2026, 1, 19, 9).replace(
        tzinfo=None
    )  # 12th: EXDATE
    assert refreshed.external_busy[-1].start.ToDatetime() == utc(2027, 1, 4, 9).replace(tzinfo=None)
    for rules in (first.rules, refreshed.rules):
        rules.ClearField("version")
        rules.ClearField("updated_at")
    assert refreshed.rules == first.rules


CONFIDENTIAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tenfour tests//EN
BEGIN:VEVENT
UID:jane-roe-weekly@clinic.example
DTSTAMP:20251201T000000Z
DTSTART;TZID=Europe/Berlin:20260105T100000
DTEND;TZID=Europe/Berlin:20260105T110000
RRULE:FREQ=WEEKLY;BYDAY=MO
SUMMARY:Session with client Jane Roe
DESCRIPTION:Follow-up after the shooting; discuss custody
LOCATION:Room 4, Harbor Clinic
ORGANIZER:mailto:drkim@clinic.example
ATTENDEE;CN=Jane Roe:mailto:jane.roe@example.com
END:VEVENT
BEGIN:VEVENT
UID:jane-roe-weekly@clinic.example
DTSTAMP:20251201T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260112T100000
DTSTART;TZID=Europe/Berlin:20260112T140000
DTEND;TZID=Europe/Berlin:20260112T150000
SUMMARY:Jane Roe moved to the afternoon
END:VEVENT
END:VCALENDAR
"""


async def _stored_text(redis_client: Redis) -> str:
    parts = []
    for key in await redis_client.keys("*"):
        kind = (await redis_client.type(key)).decode()
        if kind == "string":
            parts.append(repr(await redis_client.get(key)))
        elif kind == "hash":
            parts.append(repr(await redis_client.hgetall(key)))
        elif kind == "stream":
            parts.append(repr(await redis_client.xrange(key)))
    return "\n".join(parts)


async def test_only_busy_time_and_recurrences_are_stored(harness: Harness, redis_client: Redis) -> None:
    harness.clock.now = utc(2026, 1, 1)
    await harness.set_rules(berlin_weekdays())
    await harness.import_ics("p", CONFIDENTIAL)
    harness.clock.now += timedelta(days=8)  # the refresher re-expands what was stored
    await harness.events(3)  # rules set, import, refresh: the re-expansion has run (positive marker)

    stored = await _stored_text(redis_client)
    free = await harness.free("p", utc(2026, 1, 12), utc(2026, 1, 13))

    assert "BEGIN:VEVENT" in stored  # the minimal calendar is kept for re-expansion
    for secret in ("Jane", "Roe", "client", "custody", "Room 4", "Harbor", "mailto", "clinic.example"):
        assert secret not in stored
    # Monday the 12th: the 10:00 session moved to 14:00 Berlin (13:00 UTC), recurrence intact.
    assert [(s, e) for s, e, _ in free] == [
        (utc(2026, 1, 12, 8), utc(2026, 1, 12, 13)),
        (utc(2026, 1, 12, 14), utc(2026, 1, 12, 16)),
    ]
