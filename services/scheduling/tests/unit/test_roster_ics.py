"""Roster import from iCalendar (and export in the BRIEF §2 shape)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenfour_scheduling.domain import (
    TEMPLATES,
    Override,
    OverrideKind,
    Roster,
    ShiftKind,
    export_roster_ics,
    import_roster_ics,
    roster_from_template,
    shifts,
)
from tenfour_shared.timeline import Interval

H = timedelta(hours=1)
WINDOW = Interval(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC))


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nDTSTAMP:20250101T000000Z\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events
    )
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{header}{body}END:VCALENDAR\r\n"
    return text.replace("\n        ", "\n").encode()


def pitman_rule(uid: int, start: str, extra: str = "") -> str:
    return f"""UID:{uid}
        SUMMARY:Day shift
        DTSTART;TZID=America/New_York:{start}T070000
        DTEND;TZID=America/New_York:{start}T190000
        RRULE:FREQ=DAILY;INTERVAL=14
        {extra}"""


def spans(roster: Roster, window: Interval = WINDOW) -> list[tuple[datetime, datetime, ShiftKind]]:
    return [(s.start, s.end, s.kind) for s in shifts(roster, window)]


def test_brief_shape_one_daily_rule_per_work_day_becomes_the_cycle() -> None:
    # Pitman DD--DDD--DD--- from Monday 6 January 2025, with a swap on 21 January.
    offsets = [0, 1, 4, 5, 6, 9, 10]
    events = [pitman_rule(i, (date(2025, 1, 6) + timedelta(days=i)).strftime("%Y%m%d")) for i in offsets]
    events[1] = pitman_rule(1, "20250107", "EXDATE;TZID=America/New_York:20250121T070000")
    imported = import_roster_ics(calendar(*events), window=WINDOW)
    roster = imported.roster
    assert (roster.cycle, roster.anchor, roster.zone) == (
        "DD--DDD--DD---",
        date(2025, 1, 6),
        "America/New_York",
    )
    assert roster.definitions["D"].start == time(7)
    assert roster.definitions["D"].length == 12 * H
    assert roster.definitions["D"].kind is ShiftKind.DAY
    assert roster.overrides == (
        Override(kind=OverrideKind.SWAP_OUT, day=date(2025, 1, 21)),
        # The feed starts on the 6th: nothing is rostered in the window (from 31 December in
        # New York) before it.
        Override(kind=OverrideKind.SWAP_OUT, day=date(2024, 12, 31), through=date(2025, 1, 5)),
    )
    assert (imported.cycle_rules, imported.dated_duties, imported.notes) == (7, 0, ())
    # The cycle keeps going after the feed's own first weeks, across both DST changes.
    nov = [s for s in shifts(roster, WINDOW) if s.local_date.month == 11]
    assert nov
    assert all(s.interval.duration == 12 * H for s in nov)


def test_night_rules_keep_wall_clock_times_over_dst() -> None:
    night = """UID:n1
        DTSTART;TZID=Europe/London:20251025T190000
        DTEND;TZID=Europe/London:20251026T070000
        RRULE:FREQ=DAILY;INTERVAL=7"""
    roster = import_roster_ics(calendar(night), window=WINDOW).roster
    assert roster.cycle == "N------"
    (first, *_) = shifts(
        roster, Interval(datetime(2025, 10, 25, tzinfo=UTC), datetime(2025, 10, 27, tzinfo=UTC))
    )
    assert first.interval.duration == 13 * H  # 19:00 BST to 07:00 GMT


def test_weekly_rule_with_weekdays_is_a_seven_day_cycle() -> None:
    five_two = """UID:w
        DTSTART;TZID=Australia/Sydney:20250106T230000
        DURATION:PT8H
        RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"""
    roster = import_roster_ics(calendar(five_two), window=WINDOW).roster
    assert roster.cycle == "NNNNN--"
    assert roster.definitions["N"].length == 8 * H


def test_fortnightly_weekday_rule_starts_its_cycle_at_dtstart() -> None:
    # Every other week on Monday and Friday, from Wednesday 8 January: Wed 8 (DTSTART always
    # occurs), Fri 10, Mon 20, Fri 24 -- as recurring_ical_events expands it.
    rule = """UID:f
        DTSTART;TZID=UTC:20250108T070000
        DTEND;TZID=UTC:20250108T150000
        RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"""
    roster = import_roster_ics(calendar(rule), window=WINDOW, zone="UTC").roster
    window = Interval(datetime(2025, 1, 8, tzinfo=UTC), datetime(2025, 1, 26, tzinfo=UTC))
    assert [s.local_date.day for s in shifts(roster, window)] == [8, 10, 20, 24]


def test_a_feed_of_single_events_becomes_dated_duty_in_the_window() -> None:
    events = [
        f"""UID:s{d}
        SUMMARY:Patrol
        DTSTART:202503{d:02d}T120000Z
        DTEND:202503{d:02d}T220000Z"""
        for d in (3, 4, 5)
    ]
    court = """UID:c
        SUMMARY:Court - State v. Doe
        DTSTART;TZID=America/Denver:20250307T090000
        DTEND;TZID=America/Denver:20250307T110000"""
    outside = """UID:o
        DTSTART:20260101T120000Z
        DTEND:20260101T200000Z"""
    imported = import_roster_ics(calendar(*events, court, outside), window=WINDOW, zone="America/Denver")
    roster = imported.roster
    assert roster.cycle == "-"
    assert imported.dated_duties == 4
    assert [(o.kind, o.day, o.start) for o in roster.overrides] == [
        (OverrideKind.SHIFT, date(2025, 3, 3), time(5)),
        (OverrideKind.SHIFT, date(2025, 3, 4), time(5)),
        (OverrideKind.SHIFT, date(2025, 3, 5), time(5)),
        (OverrideKind.COURT, date(2025, 3, 7), time(9)),
    ]
    assert len(shifts(roster, WINDOW)) == 4


def test_bounded_rules_and_moved_occurrences_are_expanded() -> None:
    bounded = """UID:b
        SUMMARY:Training
        DTSTART;TZID=America/Chicago:20250203T080000
        DTEND;TZID=America/Chicago:20250203T160000
        RRULE:FREQ=DAILY;COUNT=3"""
    rule = pitman_rule(7, "20250106")
    moved = """UID:7
        RECURRENCE-ID;TZID=America/New_York:20250120T070000
        DTSTART;TZID=America/New_York:20250120T190000
        DTEND;TZID=America/New_York:20250121T070000"""
    imported = import_roster_ics(calendar(rule, moved, bounded), window=WINDOW)
    roster = imported.roster
    assert roster.cycle == "D" + "-" * 13
    kinds = {(o.kind, o.day) for o in roster.overrides}
    assert (OverrideKind.SWAP_OUT, date(2025, 1, 20)) in kinds
    assert (OverrideKind.SWAP_IN, date(2025, 1, 20)) in kinds
    assert [o.day for o in roster.overrides if o.kind is OverrideKind.TRAINING] == [
        date(2025, 2, 3),
        date(2025, 2, 4),
        date(2025, 2, 5),
    ]
    jan20 = [s for s in shifts(roster, WINDOW) if s.local_date == date(2025, 1, 20)]
    assert [(s.start.astimezone(ZoneInfo("America/New_York")).hour, s.kind) for s in jan20] == [
        (19, ShiftKind.NIGHT)
    ]


def test_distinct_times_of_one_kind_get_their_own_letters() -> None:
    early = """UID:a
        DTSTART;TZID=UTC:20250106T060000
        DTEND;TZID=UTC:20250106T140000
        RRULE:FREQ=DAILY;INTERVAL=2"""
    late = """UID:b
        DTSTART;TZID=UTC:20250107T080000
        DTEND;TZID=UTC:20250107T160000
        RRULE:FREQ=DAILY;INTERVAL=2"""
    roster = import_roster_ics(calendar(early, late), window=WINDOW, zone="UTC").roster
    assert roster.cycle == "DA"
    assert roster.definitions["A"].start == time(8)


def test_all_day_events_are_noted_not_imported() -> None:
    holiday = """UID:h
        SUMMARY:Annual leave
        DTSTART;VALUE=DATE:20250310
        DTEND;VALUE=DATE:20250311"""
    imported = import_roster_ics(calendar(holiday, header="X-WR-TIMEZONE:Europe/London\r\n"), window=WINDOW)
    assert imported.roster.zone == "Europe/London"
    assert imported.notes == ("all-day event 'Annual leave' on 2025-03-10 is not a duty time",)
    assert imported.roster.overrides == ()


def test_over_long_events_are_noted() -> None:
    course = """UID:l
        DTSTART:20250310T080000Z
        DTEND:20250312T080000Z"""
    imported = import_roster_ics(calendar(course), window=WINDOW, zone="UTC")
    assert imported.notes == (
        "1 event(s) longer than 24 h or without length are not shifts and were ignored",
    )


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney"])
def test_export_then_import_gives_the_same_shifts(name: str, zone: str) -> None:
    roster = roster_from_template(
        name,
        anchor=date(2025, 1, 6),
        zone=zone,
        offset_days=3,
        overrides=[
            Override(kind=OverrideKind.LEAVE, day=date(2025, 4, 1), through=date(2025, 4, 10)),
            Override(kind=OverrideKind.COURT, day=date(2025, 4, 2), start=time(9), length=3 * H),
            Override(kind=OverrideKind.OVERTIME, day=date(2025, 10, 4), start=time(19), length=12 * H),
        ],
    )
    ics = export_roster_ics(roster)  # from the anchor on
    assert b"RRULE:FREQ=DAILY;INTERVAL=" in ics
    window = Interval(datetime(2025, 1, 6, 14, tzinfo=UTC), WINDOW.end)
    imported = import_roster_ics(ics, window=window)
    assert spans(imported.roster, window) == spans(roster, window)
    assert imported.roster.cycle.replace("-", "") != ""
