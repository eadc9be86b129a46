"""Roster expansion: templates, offsets, overrides, midnight and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenfour_scheduling.domain import (
    TEMPLATES,
    InvalidInput,
    Override,
    OverrideKind,
    Roster,
    ShiftDefinition,
    ShiftKind,
    ShiftSource,
    is_duty_day,
    roster_from_template,
    rotating_cycle,
    shifts,
)
from tenfour_shared.timeline import Interval

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
NIGHT_12 = ShiftDefinition(start=time(19), length=12 * H, kind=ShiftKind.NIGHT)
DAY_12 = ShiftDefinition(start=time(7), length=12 * H, kind=ShiftKind.DAY)


def local_window(first: date, days: int, zone: str) -> Interval:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), time(0), tz).astimezone(UTC)
    return Interval(start, end)


def worked_pattern(roster: Roster, first: date, days: int) -> str:
    """The cycle as seen in expanded shifts: the letter on each local start date, else '-'."""
    by_date = {s.local_date: s.label for s in shifts(roster, local_window(first, days, roster.zone))}
    return "".join(by_date.get(first + timedelta(days=i), "-") for i in range(days))


EXPECTED_TEMPLATES = {
    # name: (cycle, day start, length in hours), BRIEF §2
    "pitman": ("DD--DDD--DD---", time(7), 12),
    "dupont": ("NNNN---DDD-NNN---DDDD-------", time(7), 12),
    "4-on-4-off": ("DDDD----", time(7), 12),
    "4-on-4-off-16": ("DDDD----NNNN----", time(7), 12),
    "4-10": ("DDDD---", time(7), 10),
    "5-2": ("DDDDD--", time(7), 8),
    "6-3": ("DDDDDD---", time(7), 8.5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_template_expands_to_its_cycle_with_brief_shift_times(name: str) -> None:
    cycle, day_start, hours = EXPECTED_TEMPLATES[name]
    anchor = date(2025, 1, 6)
    roster = roster_from_template(name, anchor=anchor, zone="America/Chicago")
    assert TEMPLATES[name].cycle == cycle
    assert worked_pattern(roster, anchor, 2 * len(cycle)) == cycle * 2
    got = shifts(roster, local_window(anchor, len(cycle), "America/Chicago"))
    for shift in got:
        assert shift.interval.duration == timedelta(hours=hours)  # January: no DST change
        assert shift.source is ShiftSource.CYCLE
        local_start = shift.start.astimezone(ZoneInfo("America/Chicago"))
        if shift.kind is ShiftKind.DAY:
            assert local_start.time() == day_start
        else:
            assert shift.kind is ShiftKind.NIGHT
            assert local_start.time() == time(19)


def test_brief_eight_hour_shift_times() -> None:
    definitions = TEMPLATES["5-2"].definitions
    assert [(d.start, d.length) for d in definitions.values()] == [
        (time(7), 8 * H),
        (time(15), 8 * H),
        (time(23), 8 * H),
    ]


def test_pitman_aliases_and_night_squad_variant() -> None:
    roster = roster_from_template("panama", anchor=date(2025, 1, 6), zone="UTC", work_letter="N")
    assert roster.cycle == "NN--NNN--NN---"
    assert roster_from_template("2-2-3", anchor=date(2025, 1, 6), zone="UTC").cycle == "DD--DDD--DD---"


def test_squad_offset_shifts_the_cycle() -> None:
    anchor = date(2025, 1, 6)
    squad_b = roster_from_template("pitman", anchor=anchor, zone="UTC", offset_days=7)
    # Pitman squads 7 days apart cover each other's days off.
    assert worked_pattern(squad_b, anchor, 14) == "--DD---DD--DDD"
    assert squad_b.letter_on(anchor) == "DD--DDD--DD---"[7]


def test_rotating_cycle_builds_long_custom_cycles() -> None:
    cycle = rotating_cycle("DDDDD--", "DSN", 2)
    assert cycle == "DDDDD--DDDDD--SSSSS--SSSSS--NNNNN--NNNNN--"
    roster = roster_from_template("5-2", anchor=date(2025, 1, 6), zone="UTC")
    custom = Roster(definitions=roster.definitions, cycle=cycle, anchor=roster.anchor, zone=roster.zone)
    kinds = [s.kind for s in shifts(custom, local_window(date(2025, 1, 6), 42, "UTC"))]
    assert kinds == [ShiftKind.DAY] * 10 + [ShiftKind.SWING] * 10 + [ShiftKind.NIGHT] * 10


def test_custom_cycle_with_custom_letters() -> None:
    roster = Roster(
        definitions={
            "E": ShiftDefinition(start=time(6), length=10 * H, kind=ShiftKind.DAY),
            "L": ShiftDefinition(start=time(14), length=10 * H, kind=ShiftKind.SWING),
        },
        cycle="EEL-",
        anchor=date(2025, 1, 6),
        zone="UTC",
    )
    got = shifts(roster, local_window(date(2025, 1, 6), 4, "UTC"))
    assert [(s.label, s.start.hour) for s in got] == [("E", 6), ("E", 6), ("L", 14)]


def _night_roster(zone: str, anchor: date, overrides: tuple[Override, ...] = ()) -> Roster:
    return Roster(
        definitions={"N": NIGHT_12, "D": DAY_12}, cycle="N", anchor=anchor, zone=zone, overrides=overrides
    )


@pytest.mark.parametrize(
    ("zone", "fall_back_eve", "spring_forward_eve"),
    [
        ("America/New_York", date(2025, 11, 1), date(2025, 3, 8)),
        ("Europe/London", date(2025, 10, 25), date(2025, 3, 29)),
        ("Australia/Sydney", date(2025, 4, 5), date(2025, 10, 4)),
    ],
)
def test_night_shift_is_13_h_on_fall_back_and_11_h_on_spring_forward(
    zone: str, fall_back_eve: date, spring_forward_eve: date
) -> None:
    tz = ZoneInfo(zone)
    for eve, hours in ((fall_back_eve, 13), (spring_forward_eve, 11)):
        roster = _night_roster(zone, eve)
        (shift,) = [s for s in shifts(roster, local_window(eve, 1, zone)) if s.local_date == eve]
        assert shift.interval.duration == timedelta(hours=hours)
        # The wall clock says 19:00-07:00 whatever the offset change in between.
        assert shift.start.astimezone(tz).time() == time(19)
        assert shift.end.astimezone(tz).time() == time(7)
        assert shift.end.astimezone(tz).date() == eve + timedelta(days=1)
        # The nights either side are ordinary.
        for other in (eve - timedelta(days=3), eve + timedelta(days=3)):
            (ordinary,) = [s for s in shifts(roster, local_window(other, 1, zone)) if s.local_date == other]
            assert ordinary.interval.duration == 12 * H


def test_day_shift_on_a_dst_day_keeps_its_12_hours() -> None:
    roster = Roster(definitions={"D": DAY_12}, cycle="D", anchor=date(2025, 11, 2), zone="America/New_York")
    (shift,) = shifts(roster, local_window(date(2025, 11, 2), 1, "America/New_York"))
    assert shift.interval.duration == 12 * H


def test_24_hour_shift_over_fall_back_lasts_25_hours() -> None:
    definition = ShiftDefinition(start=time(7), length=24 * H, kind=ShiftKind.DAY)
    roster = Roster(
        definitions={"D": definition}, cycle="D-", anchor=date(2025, 11, 1), zone="America/New_York"
    )
    (shift,) = shifts(roster, local_window(date(2025, 11, 1), 1, "America/New_York"))
    assert shift.interval.duration == 25 * H


def test_start_in_spring_forward_gap_moves_forward_and_keeps_wall_end() -> None:
    definition = ShiftDefinition(start=time(2, 30), length=8 * H, kind=ShiftKind.NIGHT)
    roster = Roster(
        definitions={"N": definition}, cycle="N", anchor=date(2025, 3, 9), zone="America/New_York"
    )
    (shift, *_) = shifts(roster, local_window(date(2025, 3, 9), 1, "America/New_York"))
    tz = ZoneInfo("America/New_York")
    assert shift.start.astimezone(tz).time() == time(3, 30)
    assert shift.end.astimezone(tz).time() == time(10, 30)
    assert shift.interval.duration == 7 * H


def test_duty_whose_wall_hours_do_not_exist_is_no_duty() -> None:
    # 02:30-03:10 on the spring-forward night: the start moves to 03:30, past the 03:10 end.
    definition = ShiftDefinition(start=time(2, 30), length=40 * MIN, kind=ShiftKind.NIGHT)
    roster = Roster(
        definitions={"N": definition}, cycle="N", anchor=date(2025, 3, 8), zone="America/New_York"
    )
    got = shifts(roster, local_window(date(2025, 3, 8), 3, "America/New_York"))
    assert [s.local_date.day for s in got] == [8, 10]
    assert all(s.interval.duration == 40 * MIN for s in got)


def test_ambiguous_start_on_fall_back_takes_the_first_occurrence() -> None:
    definition = ShiftDefinition(start=time(1, 30), length=2 * H, kind=ShiftKind.NIGHT)
    roster = Roster(
        definitions={"N": definition}, cycle="N", anchor=date(2025, 11, 2), zone="America/New_York"
    )
    (shift, *_) = shifts(roster, local_window(date(2025, 11, 2), 1, "America/New_York"))
    assert shift.start == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert shift.end == datetime(2025, 11, 2, 8, 30, tzinfo=UTC)  # 03:30 EST
    assert shift.interval.duration == 3 * H


def test_night_shift_across_midnight_belongs_to_its_start_date_and_overlaps_next_day() -> None:
    roster = Roster(definitions={"N": NIGHT_12}, cycle="N-", anchor=date(2025, 1, 6), zone="UTC")
    # A window that starts at 02:00 on Tuesday still sees Monday's night shift.
    window = Interval(datetime(2025, 1, 7, 2, tzinfo=UTC), datetime(2025, 1, 7, 6, tzinfo=UTC))
    (shift,) = shifts(roster, window)
    assert shift.local_date == date(2025, 1, 6)
    assert shift.interval == Interval(
        datetime(2025, 1, 6, 19, tzinfo=UTC), datetime(2025, 1, 7, 7, tzinfo=UTC)
    )


def test_window_edges_are_half_open() -> None:
    roster = Roster(definitions={"D": DAY_12}, cycle="D", anchor=date(2025, 1, 6), zone="UTC")
    end_of_shift = datetime(2025, 1, 6, 19, tzinfo=UTC)
    assert shifts(roster, Interval(end_of_shift, end_of_shift + H)) == []
    start_of_shift = datetime(2025, 1, 7, 7, tzinfo=UTC)
    assert shifts(roster, Interval(start_of_shift - H, start_of_shift)) == []


def test_overrides_add_and_cancel_duty() -> None:
    anchor = date(2025, 1, 6)
    roster = roster_from_template(
        "4-on-4-off",
        anchor=anchor,
        zone="UTC",
        overrides=[
            Override(kind=OverrideKind.OVERTIME, day=date(2025, 1, 10), start=time(7), length=12 * H),
            Override(kind=OverrideKind.COURT, day=date(2025, 1, 11), start=time(9, 30), length=3 * H),
            Override(kind=OverrideKind.TRAINING, day=date(2025, 1, 12), start=time(8), length=8 * H),
            Override(
                kind=OverrideKind.SWAP_IN,
                day=date(2025, 1, 13),
                start=time(19),
                length=12 * H,
                shift_kind=ShiftKind.NIGHT,
            ),
            Override(kind=OverrideKind.LEAVE, day=date(2025, 1, 6), through=date(2025, 1, 7)),
            Override(kind=OverrideKind.SICK, day=date(2025, 1, 8)),
            Override(kind=OverrideKind.SWAP_OUT, day=date(2025, 1, 14)),
        ],
    )
    got = shifts(roster, local_window(anchor, 16, "UTC"))
    summary = [(s.local_date.day, s.label, s.source.value, s.kind.value) for s in got]
    assert summary == [
        (9, "D", "cycle", "day"),
        (10, "overtime", "override", "day"),
        (11, "court", "override", "day"),
        (12, "training", "override", "day"),
        (13, "swap_in", "override", "night"),
        (15, "D", "cycle", "day"),
        (16, "D", "cycle", "day"),
        (17, "D", "cycle", "day"),
    ]


def test_leave_does_not_cancel_added_duty_the_same_day() -> None:
    roster = Roster(
        definitions={"D": DAY_12},
        cycle="D",
        anchor=date(2025, 1, 6),
        zone="UTC",
        overrides=(
            Override(kind=OverrideKind.LEAVE, day=date(2025, 1, 6)),
            Override(kind=OverrideKind.COURT, day=date(2025, 1, 6), start=time(10), length=2 * H),
        ),
    )
    (court,) = shifts(roster, local_window(date(2025, 1, 6), 1, "UTC"))
    assert court.label == "court"


def test_override_kind_follows_start_time_unless_given() -> None:
    starts = {
        time(5): ShiftKind.DAY,
        time(13): ShiftKind.SWING,
        time(22): ShiftKind.NIGHT,
        time(1): ShiftKind.NIGHT,
    }
    overrides = [
        Override(kind=OverrideKind.OVERTIME, day=date(2025, 1, 6 + i), start=start, length=2 * H)
        for i, start in enumerate(starts)
    ]
    roster = Roster(
        definitions={}, cycle="-", anchor=date(2025, 1, 6), zone="UTC", overrides=tuple(overrides)
    )
    got = shifts(roster, local_window(date(2025, 1, 6), 5, "UTC"))
    assert [s.kind for s in got] == list(starts.values())


def test_roster_is_immutable() -> None:
    roster = _night_roster("UTC", date(2025, 1, 6))
    with pytest.raises(Exception, match="frozen"):
        roster.cycle = "D"  # type: ignore[misc]


def test_unknown_template_is_a_validation_error() -> None:
    with pytest.raises(InvalidInput) as err:
        roster_from_template("continental", anchor=date(2025, 1, 6), zone="UTC")
    assert err.value.violations[0].field == "template"


def test_a_duty_day_is_a_local_date_on_which_a_shift_or_added_duty_starts() -> None:
    zone = "America/Chicago"
    roster = roster_from_template("pitman", anchor=date(2026, 3, 2), zone=zone).model_copy(
        update={
            "overrides": (
                Override(kind=OverrideKind.LEAVE, day=date(2026, 3, 2)),  # Monday's shift cancelled
                Override(kind=OverrideKind.COURT, day=date(2026, 3, 4), start=time(9), length=3 * H),
            )
        }
    )
    tz = ZoneInfo(zone)

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=tz).astimezone(UTC)

    assert not is_duty_day(roster, at(2, 12))  # leave
    assert is_duty_day(roster, at(3, 23))  # a cycle shift that day: the local date, not UTC's 4 March
    assert is_duty_day(roster, at(4, 20))  # a day off with a court date
    assert not is_duty_day(roster, at(5, 1))
    assert is_duty_day(roster, at(6, 0))
