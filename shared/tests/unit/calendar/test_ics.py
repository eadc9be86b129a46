"""Busy time from iCalendar text: recurrences, all-day and floating events, and malformed input."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tenfour_shared.calendar import (
    ExpansionRangeError,
    IcsError,
    RuleSet,
    RuleValidationError,
    SessionType,
    expand,
    parse_busy_calendar,
)
from tenfour_shared.timeline import Interval

JULY = Interval(datetime(2025, 6, 30, tzinfo=UTC), datetime(2025, 7, 14, tzinfo=UTC))


def ics(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tenfour//test//EN\n{extra}{body}END:VCALENDAR\n"


def busy(text: str, window: Interval = JULY, zone: str = "Europe/London") -> list[Interval]:
    return parse_busy_calendar(text, window, timezone=zone)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def ics_error(text: str, **kw: object) -> IcsError:
    with pytest.raises(IcsError) as caught:
        parse_busy_calendar(text, JULY, timezone="Europe/London", **kw)  # type: ignore[arg-type]
    (violation,) = caught.value.violations
    assert violation.field == "ics"
    return caught.value


def test_recurring_event_with_exdate_and_tzid() -> None:
    text = ics(
        """UID:standup
DTSTART;TZID=America/New_York:20250701T100000
DTEND;TZID=America/New_York:20250701T103000
RRULE:FREQ=DAILY;COUNT=4
EXDATE;TZID=America/New_York:20250702T100000"""
    )
    assert busy(text) == [Interval(utc(2025, 7, d, 14), utc(2025, 7, d, 14, 30)) for d in (1, 3, 4)]


def test_weekly_rule_keeps_local_time_across_dst() -> None:
    text = ics(
        """UID:weekly
DTSTART;TZID=America/New_York:20250303T100000
DTEND;TZID=America/New_York:20250303T110000
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"""
    )
    march = Interval(utc(2025, 3, 1), utc(2025, 3, 31))
    assert [iv.start.hour for iv in busy(text, march)] == [15, 14, 14]  # 10:00 EST, then 10:00 EDT


def test_cancelled_and_moved_occurrences() -> None:
    text = ics(
        """UID:s
DTSTART:20250701T090000Z
DTEND:20250701T100000Z
RRULE:FREQ=DAILY;COUNT=3""",
        """UID:s
RECURRENCE-ID:20250702T090000Z
DTSTART:20250702T090000Z
DTEND:20250702T100000Z
STATUS:CANCELLED""",
        """UID:s
RECURRENCE-ID:20250703T090000Z
DTSTART:20250703T150000Z
DTEND:20250703T160000Z""",
    )
    assert busy(text) == [
        Interval(utc(2025, 7, 1, 9), utc(2025, 7, 1, 10)),
        Interval(utc(2025, 7, 3, 15), utc(2025, 7, 3, 16)),
    ]


def test_transparent_and_cancelled_events_are_not_busy() -> None:
    text = ics(
        "UID:a\nDTSTART:20250701T090000Z\nDTEND:20250701T100000Z\nTRANSP:TRANSPARENT",
        "UID:b\nDTSTART:20250702T090000Z\nDTEND:20250702T100000Z\nSTATUS:CANCELLED",
        "UID:c\nDTSTART:20250703T090000Z\nDTEND:20250703T100000Z\nTRANSP:OPAQUE\nSTATUS:CONFIRMED",
    )
    assert busy(text) == [Interval(utc(2025, 7, 3, 9), utc(2025, 7, 3, 10))]


def test_all_day_events_block_whole_local_days_in_the_provider_zone() -> None:
    text = ics(
        "UID:a\nDTSTART;VALUE=DATE:20250707\nDTEND;VALUE=DATE:20250709", "UID:b\nDTSTART;VALUE=DATE:20250711"
    )
    zone = "Australia/Sydney"
    assert busy(text, zone=zone) == [
        Interval(local(zone, 2025, 7, 7), local(zone, 2025, 7, 9)),
        Interval(local(zone, 2025, 7, 11), local(zone, 2025, 7, 12)),  # no DTEND: one day
    ]


def test_floating_times_are_read_on_the_providers_wall_clock() -> None:
    text = ics("UID:a\nDTSTART:20250708T090000\nDTEND:20250708T093000")
    assert busy(text, zone="Asia/Kolkata") == [Interval(utc(2025, 7, 8, 3, 30), utc(2025, 7, 8, 4))]


def test_duration_zero_length_and_clipping() -> None:
    text = ics(
        "UID:a\nDTSTART:20250708T090000Z\nDURATION:PT45M",
        "UID:b\nDTSTART:20250709T090000Z",  # no end: zero length, not busy
        "UID:c\nDTSTART:20250629T220000Z\nDTEND:20250630T020000Z",  # clipped at the window
        "UID:d\nDTSTART:20250708T093000Z\nDTEND:20250708T100000Z",  # overlaps a, merged
    )
    assert busy(text) == [
        Interval(utc(2025, 6, 30), utc(2025, 6, 30, 2)),
        Interval(utc(2025, 7, 8, 9), utc(2025, 7, 8, 10)),
    ]


def test_custom_vtimezone() -> None:
    vtimezone = """BEGIN:VTIMEZONE
TZID:Office Time
BEGIN:STANDARD
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
"""
    text = ics(
        "UID:a\nDTSTART;TZID=Office Time:20250708T100000\nDTEND;TZID=Office Time:20250708T110000",
        extra=vtimezone,
    )
    assert busy(text) == [Interval(utc(2025, 7, 8, 14), utc(2025, 7, 8, 15))]


def test_crlf_and_folded_lines() -> None:
    text = ics(
        "UID:a\nSUMMARY:a very long\n  summary\nDTSTART:20250708T090000Z\nDTEND:20250708T100000Z"
    ).replace("\n", "\r\n")
    assert busy(text) == [Interval(utc(2025, 7, 8, 9), utc(2025, 7, 8, 10))]


def test_busy_calendar_feeds_expand() -> None:
    rule_set = RuleSet.default("p1", "Europe/London")
    text = ics("UID:a\nDTSTART;TZID=Europe/London:20250708T120000\nDTEND;TZID=Europe/London:20250708T130000")
    availability = expand(rule_set, JULY, busy(text))
    tuesday = [iv for iv in availability.free_for(SessionType.INDIVIDUAL) if iv.start.day == 8]
    assert [(iv.start.hour, iv.end.hour) for iv in tuesday] == [(8, 11), (12, 16)]  # UTC, BST is +1


# ---------------------------------------------------------------- malformed and unsafe input

GOOD = "UID:a\nDTSTART:20250708T090000Z\nDTEND:20250708T100000Z"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ics(GOOD).replace("UID:a", "UID a"),
            "line 5: not an iCalendar content line (expected NAME:VALUE): 'UID a'",
        ),
        (
            ics(GOOD).replace("END:VEVENT", "END:VTODO"),
            "line 8: END:VTODO does not close BEGIN:VEVENT from line 4",
        ),
        (
            ics(GOOD).replace("END:VEVENT\n", ""),
            "line 8: END:VCALENDAR does not close BEGIN:VEVENT from line 4",
        ),
        (ics(GOOD).replace("END:VCALENDAR\n", ""), "line 1: BEGIN:VCALENDAR is never closed"),
        (ics(GOOD) + "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "line 10: content after END:VCALENDAR"),
        ("VERSION:2.0\n" + ics(GOOD), "line 1: expected BEGIN:VCALENDAR, found VERSION"),
        ("BEGIN:VEVENT\nEND:VEVENT\n", "line 1: expected BEGIN:VCALENDAR, found BEGIN:VEVENT"),
        (" folded\n" + ics(GOOD), "line 1: continuation line with nothing to continue"),
        ("", "the calendar is empty"),
        (ics(GOOD.replace("DTEND:20250708T100000Z", "DTEND:2025-07-08")), "line 7: DTEND: Expected datetime"),
        (ics(GOOD + "\nRRULE:FREQ=SOMETIMES"), "line 8: RRULE: Expected frequency"),
        (
            ics(GOOD.replace("DTSTART:", "DTSTART;TZID=Mars/Base:").replace("Z\n", "\n")),
            "line 6: DTSTART uses an unknown time zone 'Mars/Base'",
        ),
        (
            ics(GOOD.replace("DTEND:20250708T100000Z", "DTEND:20250708T080000Z")),
            "line 7: DTEND is before DTSTART",
        ),
        (ics("UID:a\nSUMMARY:no start"), "line 4: VEVENT has no DTSTART"),
        (ics(GOOD + "\nRRULE:FREQ=SECONDLY"), "line 8: recurrence rules are too expensive"),
        (
            ics(GOOD.replace("20250708", "19000708") + "\nRRULE:FREQ=HOURLY"),
            "line 8: recurrence rules are too expensive",
        ),
    ],
)
def test_malformed_calendars_name_the_line(text: str, message: str) -> None:
    assert str(ics_error(text)).startswith(f"ics: {message}")


def test_line_numbers_count_physical_lines_after_folds() -> None:
    text = ics("UID:a\nDESCRIPTION:one\n  two\n  three\nDTSTART:20250708T090000Z\nX-BROKEN")
    assert ics_error(text).line == 10


def test_size_limit() -> None:
    text = ics(GOOD, extra="X-PADDING:" + "x" * 2000 + "\n")
    assert "larger than the 1,000 byte limit" in str(ics_error(text, max_bytes=1000))


def test_occurrence_limit() -> None:
    text = ics(GOOD + "\nRRULE:FREQ=DAILY")
    assert "more than 5 events" in str(ics_error(text, max_occurrences=5))


def test_window_and_zone_are_checked() -> None:
    with pytest.raises(ExpansionRangeError):
        parse_busy_calendar(ics(GOOD), Interval(utc(2025, 1, 1), utc(2026, 6, 1)), timezone="UTC")
    with pytest.raises(RuleValidationError) as caught:
        parse_busy_calendar(ics(GOOD), JULY, timezone="Nowhere/Town")
    assert caught.value.violations[0].field == "timezone"


def test_hour_long_window_over_a_daily_rule_is_cheap() -> None:
    text = ics(GOOD + "\nRRULE:FREQ=DAILY")
    one_hour = Interval(utc(2025, 7, 10, 9), utc(2025, 7, 10, 10))
    assert busy(text, one_hour) == [one_hour]
    assert busy(text, Interval(utc(2025, 7, 10, 11), utc(2025, 7, 10, 12))) == []
