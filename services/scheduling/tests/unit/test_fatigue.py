"""Fatigue policy (BRIEF §2 defaults): what off-duty time is left, and why the rest is not."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenfour_scheduling.domain import (
    BlockReason,
    FatiguePolicy,
    InvalidInput,
    OffDutyResult,
    Override,
    OverrideKind,
    Roster,
    ShiftDefinition,
    ShiftKind,
    off_duty_windows,
)
from tenfour_shared.timeline import Interval, merge, total

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
DEFS = {
    "D": ShiftDefinition(start=time(7), length=12 * H, kind=ShiftKind.DAY),
    "S": ShiftDefinition(start=time(15), length=8 * H, kind=ShiftKind.SWING),
    "N": ShiftDefinition(start=time(19), length=12 * H, kind=ShiftKind.NIGHT),
}
MON = date(2025, 1, 6)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """UTC instant on 2025-01-<day>."""
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)


def roster(cycle: str, *overrides: Override, zone: str = "UTC", anchor: date = MON) -> Roster:
    return Roster(definitions=DEFS, cycle=cycle, anchor=anchor, zone=zone, overrides=overrides)


def blocked(result: OffDutyResult) -> list[tuple[datetime, datetime, BlockReason]]:
    return [(b.interval.start, b.interval.end, b.reason) for b in result.blocked]


def assert_partition(result: OffDutyResult) -> None:
    pieces = sorted([*result.windows, *(b.interval for b in result.blocked)])
    for a, b in itertools.pairwise(pieces):
        assert a.end == b.start  # disjoint, no holes
    assert merge(pieces) == [result.window]


def test_day_shift_gets_pre_and_post_buffers() -> None:
    result = off_duty_windows(roster("D------"), FatiguePolicy(), Interval(at(6, 0), at(7, 0)))
    assert blocked(result) == [
        (at(6, 5, 30), at(6, 7), BlockReason.PRE_SHIFT_BUFFER),
        (at(6, 7), at(6, 19), BlockReason.ON_DUTY),
        (at(6, 19), at(6, 20), BlockReason.POST_SHIFT_BUFFER),
    ]
    assert result.windows == (Interval(at(6, 0), at(6, 5, 30)), Interval(at(6, 20), at(7, 0)))
    assert_partition(result)


def test_night_shift_protects_eight_hours_of_sleep_from_one_hour_after() -> None:
    result = off_duty_windows(roster("N------"), FatiguePolicy(), Interval(at(6, 12), at(8, 0)))
    assert blocked(result) == [
        (at(6, 17, 30), at(6, 19), BlockReason.PRE_SHIFT_BUFFER),
        (at(6, 19), at(7, 7), BlockReason.ON_DUTY),
        (at(7, 7), at(7, 8), BlockReason.POST_SHIFT_BUFFER),
        (at(7, 8), at(7, 16), BlockReason.PROTECTED_SLEEP),
    ]
    assert result.blocked[3].text == "protected sleep after night shift (8 h from 1 h after it ends)"
    assert_partition(result)


def test_quick_return_gap_under_11_h_is_removed_whole() -> None:
    # Swing 15:00-23:00, then day 07:00: an 8 h quick return.
    result = off_duty_windows(roster("SD-----"), FatiguePolicy(), Interval(at(6, 12), at(7, 12)))
    assert blocked(result) == [
        (at(6, 13, 30), at(6, 15), BlockReason.PRE_SHIFT_BUFFER),
        (at(6, 15), at(6, 23), BlockReason.ON_DUTY),
        (at(6, 23), at(7, 0), BlockReason.POST_SHIFT_BUFFER),
        (at(7, 0), at(7, 5, 30), BlockReason.QUICK_RETURN),
        (at(7, 5, 30), at(7, 7), BlockReason.PRE_SHIFT_BUFFER),
        (at(7, 7), at(7, 12), BlockReason.ON_DUTY),
    ]
    assert result.windows == (Interval(at(6, 12), at(6, 13, 30)),)
    assert [b.text for b in result.blocked][3] == "quick-return gap under 11 h"


def test_gap_of_exactly_11_h_is_not_a_quick_return() -> None:
    court = Override(kind=OverrideKind.COURT, day=date(2025, 1, 7), start=time(6), length=2 * H)
    result = off_duty_windows(roster("D------", court), FatiguePolicy(), Interval(at(6, 19), at(7, 6)))
    assert BlockReason.QUICK_RETURN not in {b.reason for b in result.blocked}
    assert result.windows == (Interval(at(6, 20), at(7, 4, 30)),)


def test_back_to_back_duty_is_one_block_and_sleep_follows_its_end() -> None:
    overtime = Override(kind=OverrideKind.OVERTIME, day=date(2025, 1, 7), start=time(7), length=2 * H)
    result = off_duty_windows(roster("N------", overtime), FatiguePolicy(), Interval(at(6, 18), at(8, 0)))
    assert (at(6, 19), at(7, 9), BlockReason.ON_DUTY) in blocked(result)
    assert (at(7, 10), at(7, 18), BlockReason.PROTECTED_SLEEP) in blocked(result)
    assert result.windows == (Interval(at(7, 18), at(8, 0)),)


def test_court_after_a_night_shift_cuts_into_the_sleep_and_the_gap() -> None:
    court = Override(kind=OverrideKind.COURT, day=date(2025, 1, 7), start=time(11), length=2 * H)
    result = off_duty_windows(roster("N------", court), FatiguePolicy(), Interval(at(7, 7), at(7, 20)))
    assert blocked(result) == [
        (at(7, 7), at(7, 8), BlockReason.POST_SHIFT_BUFFER),
        (at(7, 8), at(7, 9, 30), BlockReason.PROTECTED_SLEEP),
        (at(7, 9, 30), at(7, 11), BlockReason.PRE_SHIFT_BUFFER),
        (at(7, 11), at(7, 13), BlockReason.ON_DUTY),
        (at(7, 13), at(7, 14), BlockReason.POST_SHIFT_BUFFER),
        (at(7, 14), at(7, 16), BlockReason.PROTECTED_SLEEP),
    ]


def test_reasons_say_the_agencys_actual_values() -> None:
    policy = FatiguePolicy(
        pre_shift_buffer=2 * H,
        post_shift_buffer=45 * MIN,
        night_sleep_delay=30 * MIN,
        night_sleep_length=7 * H,
        min_rest_between_shifts=10 * H,
        usual_sleep_start=time(22, 30),
        usual_sleep_end=time(6),
        max_consecutive_nights=3,
    )
    assert [policy.reason_text(r) for r in BlockReason] == [
        "on duty",
        "pre-shift buffer of 2 h",
        "post-shift buffer of 45 min",
        "protected sleep after night shift (7 h from 30 min after it ends)",
        "quick-return gap under 10 h",
        "usual sleep 22:30-06:00",
        "rest after 3 consecutive night shifts",
    ]
    # Swing 15:00-23:00 then day 07:00: an 8 h gap, under this agency's 10 h.
    result = off_duty_windows(roster("SD-----"), policy, Interval(at(6, 12), at(7, 12)))
    assert "quick-return gap under 10 h" in [b.text for b in result.blocked]


def _officer(cycle: str, policy: FatiguePolicy, window: Interval, zone: str = "UTC") -> OffDutyResult:
    return off_duty_windows(roster(cycle, zone=zone), policy, window, officer=True)


def test_a_day_shift_officers_usual_sleep_is_kept_free_across_midnight() -> None:
    # Day shift Monday 07:00-19:00, Tuesday off: the nights on both sides are usual sleep.
    result = _officer("D------", FatiguePolicy(), Interval(at(6, 0), at(8, 0)))
    sleep = [
        (b.interval.start, b.interval.end) for b in result.blocked if b.reason is BlockReason.USUAL_SLEEP
    ]
    assert sleep == [(at(6, 0), at(6, 5, 30)), (at(6, 23), at(7, 7)), (at(7, 23), at(8, 0))]
    assert result.blocked[-1].text == "usual sleep 23:00-07:00"
    assert result.windows == (Interval(at(6, 20), at(6, 23)), Interval(at(7, 7), at(7, 23)))
    assert_partition(result)
    # A peer supporter's roster as provider keeps the shift rules only.
    assert not any(
        b.reason is BlockReason.USUAL_SLEEP
        for b in off_duty_windows(roster("D------"), FatiguePolicy(), Interval(at(6, 0), at(8, 0))).blocked
    )


def test_nights_worked_are_not_usual_sleep_the_sleep_after_them_is_protected() -> None:
    result = _officer("N------", FatiguePolicy(), Interval(at(6, 12), at(8, 0)))
    assert blocked(result) == [
        (at(6, 17, 30), at(6, 19), BlockReason.PRE_SHIFT_BUFFER),
        (at(6, 19), at(7, 7), BlockReason.ON_DUTY),
        (at(7, 7), at(7, 8), BlockReason.POST_SHIFT_BUFFER),
        (at(7, 8), at(7, 16), BlockReason.PROTECTED_SLEEP),
        (at(7, 23), at(8, 0), BlockReason.USUAL_SLEEP),  # Tuesday night is off: usual sleep again
    ]


@pytest.mark.parametrize(
    ("eve", "hours"),
    [(date(2025, 3, 8), 7), (date(2025, 11, 1), 9)],  # spring forward, fall back (Chicago)
)
def test_usual_sleep_follows_the_wall_clock_on_dst_nights(eve: date, hours: int) -> None:
    zone = "America/Chicago"
    local = ZoneInfo(zone)
    start = datetime.combine(eve, time(12), local)
    window = Interval(start, start + 24 * H)
    result = off_duty_windows(roster("-------", zone=zone, anchor=eve), FatiguePolicy(), window, officer=True)
    (sleep,) = [b.interval for b in result.blocked if b.reason is BlockReason.USUAL_SLEEP]
    assert sleep.start == datetime.combine(eve, time(23), local)
    assert sleep.end == datetime.combine(eve + timedelta(days=1), time(7), local)
    assert sleep.duration == hours * H


def test_an_officers_own_window_and_the_day_after_the_nth_consecutive_night() -> None:
    own = FatiguePolicy(usual_sleep_start=time(1), usual_sleep_end=time(9, 30), max_consecutive_nights=2)
    result = _officer("NN-----", own, Interval(at(6, 12), at(10, 0)))
    after = [b.interval for b in result.blocked if b.reason is BlockReason.CONSECUTIVE_NIGHTS]
    # Nights Mon and Tue end 07:00 Tue and Wed; only the second is the 2nd in a row.
    assert merge(after) == [Interval(at(8, 16), at(9, 1))]  # after sleep, up to Thursday's usual sleep
    assert (Interval(at(9, 1), at(9, 9, 30))) in [b.interval for b in result.blocked]
    assert total([w for w in result.windows if w.start >= at(8, 7)]) == total(
        [Interval(at(9, 9, 30), at(10, 0))]
    )


@pytest.mark.parametrize(("start", "end"), [(time(20), time(10, 30)), (time(7), time(7))])
def test_a_sleep_window_over_14_h_or_empty_is_refused(start: time, end: time) -> None:
    with pytest.raises(InvalidInput):
        FatiguePolicy(usual_sleep_start=start, usual_sleep_end=end)


def test_agency_policy_can_relax_every_rule() -> None:
    lax = FatiguePolicy(
        pre_shift_buffer=timedelta(0),
        post_shift_buffer=timedelta(0),
        night_sleep_delay=timedelta(0),
        night_sleep_length=timedelta(0),
        min_rest_between_shifts=timedelta(0),
    )
    result = off_duty_windows(roster("SD-----"), lax, Interval(at(6, 0), at(8, 0)))
    assert {b.reason for b in result.blocked} == {BlockReason.ON_DUTY}
    assert total(result.windows) == 48 * H - 8 * H - 12 * H


def test_stricter_policy_widens_buffers() -> None:
    strict = FatiguePolicy(pre_shift_buffer=3 * H, post_shift_buffer=2 * H)
    result = off_duty_windows(roster("D------"), strict, Interval(at(6, 0), at(7, 0)))
    assert result.windows == (Interval(at(6, 0), at(6, 4)), Interval(at(6, 21), at(7, 0)))


def test_shifts_outside_the_window_still_shape_it() -> None:
    # The night before the window ends at 07:00; its sleep window reaches into the window.
    result = off_duty_windows(roster("N------"), FatiguePolicy(), Interval(at(7, 12), at(7, 20)))
    assert blocked(result) == [(at(7, 12), at(7, 16), BlockReason.PROTECTED_SLEEP)]
    assert result.windows == (Interval(at(7, 16), at(7, 20)),)


@pytest.mark.parametrize(
    ("zone", "eve"),
    [
        ("America/New_York", date(2025, 11, 1)),
        ("Europe/London", date(2025, 3, 29)),
        ("Australia/Sydney", date(2025, 4, 5)),
    ],
)
def test_sleep_after_a_dst_night_is_eight_real_hours_from_the_wall_clock_end(zone: str, eve: date) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    result = off_duty_windows(
        roster("N------", zone=zone, anchor=eve),
        FatiguePolicy(),
        Interval(datetime.combine(eve, time(12), tz), datetime.combine(eve + timedelta(days=2), time(0), tz)),
    )
    (sleep,) = [b.interval for b in result.blocked if b.reason is BlockReason.PROTECTED_SLEEP]
    assert sleep.start.astimezone(tz).time() == time(8)  # 07:00 wall-clock end + 1 h
    assert sleep.duration == 8 * H
    assert_partition(result)


def test_duty_blocks_are_reported_for_explanations() -> None:
    result = off_duty_windows(roster("ND-----"), FatiguePolicy(), Interval(at(6, 0), at(9, 0)))
    kinds = [(b.first_kind, b.rest_kind, b.has_night) for b in result.duty]
    # Night 19:00-07:00 then day 07:00-19:00 touch: one block that started as a night.
    assert kinds == [(ShiftKind.NIGHT, ShiftKind.NIGHT, True)]
    assert result.duty[0].interval == Interval(at(6, 19), at(7, 19))
