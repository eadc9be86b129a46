"""Agency fatigue policy: which off-duty time is fit for a therapy session, and why not.

BRIEF §2 defaults: never on duty; end >= 90 min before a shift; start >= 60 min after one;
after a night shift an 8 h sleep window from 1 h after it ends; nothing in a gap under 11 h
between shifts (quick return); at most one session a local day (applied by the slot search).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from itertools import pairwise

from pydantic import Field

from tenfour_scheduling.domain.rotation import Roster, Shift, ShiftKind, shifts
from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.timeline import Interval, intersect, subtract

__all__ = [
    "BlockReason",
    "BlockedInterval",
    "DutyBlock",
    "FatiguePolicy",
    "OffDutyResult",
    "duty_blocks",
    "off_duty_from_shifts",
    "off_duty_windows",
]

_DAY = timedelta(days=1)


class FatiguePolicy(ValidatedModel):
    pre_shift_buffer: timedelta = Field(default=timedelta(minutes=90), ge=timedelta(0), le=_DAY)
    post_shift_buffer: timedelta = Field(default=timedelta(minutes=60), ge=timedelta(0), le=_DAY)
    night_sleep_delay: timedelta = Field(default=timedelta(hours=1), ge=timedelta(0), le=_DAY)
    night_sleep_length: timedelta = Field(default=timedelta(hours=8), ge=timedelta(0), le=_DAY)
    min_rest_between_shifts: timedelta = Field(default=timedelta(hours=11), ge=timedelta(0), le=_DAY)
    max_sessions_per_day: int = Field(default=1, ge=1, le=10)

    def reach(self) -> timedelta:
        """How far from a duty period its effects extend; shifts this far outside a window
        still shape it, so they are expanded too."""
        return (
            max(
                self.pre_shift_buffer,
                self.post_shift_buffer,
                self.night_sleep_delay + self.night_sleep_length,
                self.min_rest_between_shifts,
            )
            + _DAY
        )


class BlockReason(StrEnum):
    # Declared in priority order: an instant with several reasons reports the first.
    ON_DUTY = "on_duty"
    PRE_SHIFT_BUFFER = "pre_shift_buffer"
    POST_SHIFT_BUFFER = "post_shift_buffer"
    PROTECTED_SLEEP = "protected_sleep"
    QUICK_RETURN = "quick_return"

    @property
    def text(self) -> str:
        return _REASON_TEXT[self]


_REASON_TEXT = {
    BlockReason.ON_DUTY: "on duty",
    BlockReason.PRE_SHIFT_BUFFER: "pre-shift buffer",
    BlockReason.POST_SHIFT_BUFFER: "post-shift buffer",
    BlockReason.PROTECTED_SLEEP: "protected sleep after night shift",
    BlockReason.QUICK_RETURN: "quick-return gap under 11 h",
}


@dataclass(frozen=True, slots=True)
class BlockedInterval:
    interval: Interval
    reason: BlockReason

    @property
    def text(self) -> str:
        return self.reason.text


@dataclass(frozen=True, slots=True)
class DutyBlock:
    """Back-to-back or overlapping shifts merged into one continuous duty period."""

    interval: Interval
    shifts: tuple[Shift, ...]

    @property
    def has_night(self) -> bool:
        return any(s.kind is ShiftKind.NIGHT for s in self.shifts)

    @property
    def first_kind(self) -> ShiftKind:
        return self.shifts[0].kind

    @property
    def rest_kind(self) -> ShiftKind:
        """The kind that governs recovery afterwards: night over swing over day."""
        kinds = {s.kind for s in self.shifts}
        return next(k for k in (ShiftKind.NIGHT, ShiftKind.SWING, ShiftKind.DAY) if k in kinds)


@dataclass(frozen=True, slots=True)
class OffDutyResult:
    window: Interval
    windows: tuple[Interval, ...]  # fit for a session, sorted and disjoint
    blocked: tuple[BlockedInterval, ...]  # the rest of the window, sorted, disjoint, one reason each
    duty: tuple[DutyBlock, ...]  # duty near the window, for explanations


def duty_blocks(shift_list: Iterable[Shift]) -> list[DutyBlock]:
    """Merge shifts that overlap or touch, like :func:`merge`, keeping their shifts."""
    blocks: list[DutyBlock] = []
    group: list[Shift] = []
    group_end = None
    for shift in sorted(shift_list, key=lambda s: (s.start, s.end)):
        if shift.interval.duration <= timedelta(0):
            continue
        if group and group_end is not None and shift.start > group_end:
            blocks.append(DutyBlock(Interval(group[0].start, group_end), tuple(group)))
            group = []
        group_end = shift.end if not group or group_end is None else max(group_end, shift.end)
        group.append(shift)
    if group and group_end is not None:
        blocks.append(DutyBlock(Interval(group[0].start, group_end), tuple(group)))
    return blocks


def off_duty_windows(roster: Roster, policy: FatiguePolicy, window: Interval) -> OffDutyResult:
    """The parts of ``window`` fit for a session, and every removed part with its reason."""
    reach = policy.reach()
    return off_duty_from_shifts(shifts(roster, window.expand(reach, reach)), policy, window)


def off_duty_from_shifts(
    shift_list: Sequence[Shift], policy: FatiguePolicy, window: Interval
) -> OffDutyResult:
    """As :func:`off_duty_windows`, for shifts already expanded at least ``policy.reach()``
    beyond the window on both sides."""
    blocks = duty_blocks(shift_list)
    duty = [b.interval for b in blocks]
    layers: list[tuple[BlockReason, list[Interval]]] = [
        (BlockReason.ON_DUTY, duty),
        (BlockReason.PRE_SHIFT_BUFFER, [Interval(d.start - policy.pre_shift_buffer, d.start) for d in duty]),
        (BlockReason.POST_SHIFT_BUFFER, [Interval(d.end, d.end + policy.post_shift_buffer) for d in duty]),
        (
            BlockReason.PROTECTED_SLEEP,
            [
                Interval(begin, begin + policy.night_sleep_length)
                for b in blocks
                if b.has_night
                for begin in [b.interval.end + policy.night_sleep_delay]
            ],
        ),
        (
            BlockReason.QUICK_RETURN,
            [
                Interval(a.end, b.start)
                for a, b in pairwise(duty)
                if b.start - a.end < policy.min_rest_between_shifts
            ],
        ),
    ]
    free = [window]
    blocked: list[BlockedInterval] = []
    for reason, intervals in layers:
        cut = intersect(free, intervals)
        if cut:
            blocked.extend(BlockedInterval(iv, reason) for iv in cut)
            free = subtract(free, cut)
    blocked.sort(key=lambda b: b.interval)
    near = window.expand(policy.reach(), policy.reach())
    return OffDutyResult(
        window=window,
        windows=tuple(free),
        blocked=tuple(blocked),
        duty=tuple(b for b in blocks if b.interval.overlaps(near)),
    )
