"""When reminders go out: at each offset before the session, but never while the officer is
on duty or asleep (protected sleep after a night shift, or their usual sleep: their own window,
else the agency's); such a reminder moves to the nearest acceptable earlier time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from tenfour_scheduling.domain.fatigue import BlockReason, FatiguePolicy, fatigue_layers
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import shifts
from tenfour_shared.timeline import Interval, load_zone, merge

__all__ = ["STEP", "quiet_times", "reminder_times"]

# Not the buffers around a shift: a reminder while getting ready or winding down wakes nobody.
_QUIET = frozenset({BlockReason.ON_DUTY, BlockReason.PROTECTED_SLEEP, BlockReason.USUAL_SLEEP})

STEP = timedelta(minutes=1)


def reminder_times(
    start: datetime, offsets: Iterable[timedelta], forbidden: Sequence[Interval]
) -> list[tuple[timedelta, datetime]]:
    """(offset, delivery time) for each positive offset, in the order given.

    ``forbidden`` are half-open intervals; a time inside one moves to just before it starts
    (repeatedly, for back-to-back intervals such as a night shift and the sleep after it).
    """
    out: list[tuple[timedelta, datetime]] = []
    for offset in offsets:
        if offset <= timedelta(0):
            continue
        at = start - offset
        moved = True
        while moved:
            moved = False
            for iv in forbidden:
                if iv.start <= at < iv.end:
                    at = iv.start - STEP
                    moved = True
        out.append((offset, at))
    return out


def quiet_times(roster: Roster, policy: FatiguePolicy, window: Interval) -> list[Interval]:
    """When no reminder may reach the officer: on duty or asleep, each rule's intervals in full
    (the reasons FindSlots reports pick one per instant: a pre-shift buffer inside the usual
    sleep is reported as the buffer, but the officer is still asleep)."""
    reach = policy.reach()
    shift_list = shifts(roster, window.expand(reach, reach))
    layers = fatigue_layers(shift_list, policy, window, load_zone(roster.zone))
    return merge([iv for reason, intervals in layers if reason in _QUIET for iv in intervals])
