from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour_scheduling.domain.reminders import reminder_times
from tenfour_shared.timeline import Interval

H = timedelta(hours=1)
START = datetime(2026, 3, 10, 18, tzinfo=UTC)


def test_free_times_stay_at_their_offsets() -> None:
    assert reminder_times(START, [24 * H, H], []) == [(24 * H, START - 24 * H), (H, START - H)]


def test_back_to_back_shift_and_sleep_move_before_both() -> None:
    shift = Interval(START - 30 * H, START - 18 * H)  # a night shift
    sleep = Interval(START - 17 * H, START - 9 * H)  # protected sleep, after a gap
    sleep_joined = Interval(START - 18 * H, START - 10 * H)
    # Inside the sleep: moved to just before it (the gap before is acceptable).
    assert reminder_times(START, [12 * H], [shift, sleep]) == [
        (12 * H, START - 17 * H - timedelta(minutes=1))
    ]
    # Back to back: moved before the shift too.
    assert reminder_times(START, [12 * H], [shift, sleep_joined]) == [
        (12 * H, START - 30 * H - timedelta(minutes=1))
    ]
    assert reminder_times(START, [timedelta(0)], []) == []
