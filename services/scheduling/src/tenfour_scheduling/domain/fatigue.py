"""Agency fatigue policy: which off-duty time is fit for a therapy session, and why not.

BRIEF §2 defaults: never on duty; end >= 90 min before a shift; start >= 60 min after one;
after a night shift an 8 h sleep window from 1 h after it ends; nothing in a gap under 11 h
between shifts (quick return); at most one session a local day (applied by the slot search).

For the officer being served (not for a peer supporter as provider) two more layers apply
(issue 19): the usual night's sleep, every local night the officer is not on a night shift
(agency default 23:00-07:00, adjusted per officer), and, when the agency sets N, the 24 h after
the N-th and every later consecutive night shift. Reason texts carry the configured values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from tenfour_scheduling.domain.roster import Roster, ShiftKind
from tenfour_scheduling.domain.rotation import Shift, shifts
from tenfour_scheduling.domain.sleep_rules import after_consecutive_nights, usual_sleep
from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.timeline import Interval, intersect, load_zone, subtract

__all__ = [
    "BlockReason",
    "BlockedInterval",
    "DutyBlock",
    "FatiguePolicy",
    "OffDutyResult",
    "duty_blocks",
    "fatigue_layers",
    "format_span",
    "off_duty_from_shifts",
    "off_duty_windows",
    "sleep_span",
]

_DAY = timedelta(days=1)
MAX_SLEEP = timedelta(hours=14)


def format_span(span: timedelta) -> str:
    """Whole minutes: "45 min", "3 h", "2 h 30 min"."""
    hours, minutes = divmod(abs(int(span.total_seconds())) // 60, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def sleep_span(start: time, end: time) -> timedelta:
    """The wall-clock length of a nightly window; ``end`` at or before ``start`` is next day."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return timedelta(minutes=minutes if minutes > 0 else minutes + 24 * 60)


class FatiguePolicy(ValidatedModel):
    pre_shift_buffer: timedelta = Field(default=timedelta(minutes=90), ge=timedelta(0), le=_DAY)
    post_shift_buffer: timedelta = Field(default=timedelta(minutes=60), ge=timedelta(0), le=_DAY)
    night_sleep_delay: timedelta = Field(default=timedelta(hours=1), ge=timedelta(0), le=_DAY)
    night_sleep_length: timedelta = Field(default=timedelta(hours=8), ge=timedelta(0), le=_DAY)
    min_rest_between_shifts: timedelta = Field(default=timedelta(hours=11), ge=timedelta(0), le=_DAY)
    max_sessions_per_day: int = Field(default=1, ge=1, le=10)
    # The usual night's sleep (local wall time; the officer's own, or the agency's default).
    usual_sleep_start: time = time(23)
    usual_sleep_end: time = time(7)
    # No session in the 24 h after the N-th (and any later) consecutive night shift; 0: no rule.
    max_consecutive_nights: int = Field(default=0, ge=0, le=14)

    @model_validator(mode="after")
    def _sleep_window(self) -> FatiguePolicy:
        if self.usual_sleep_start == self.usual_sleep_end:
            raise ValueError("the usual sleep window must not start and end at the same time")
        if sleep_span(self.usual_sleep_start, self.usual_sleep_end) > MAX_SLEEP:
            raise ValueError("the usual sleep window must be at most 14 h long")
        return self

    def reach(self) -> timedelta:
        """How far from a duty period its effects extend; shifts this far outside a window
        still shape it, so they are expanded too."""
        return (
            max(
                self.pre_shift_buffer,
                self.post_shift_buffer,
                self.night_sleep_delay + self.night_sleep_length,
                self.min_rest_between_shifts,
                _DAY * (self.max_consecutive_nights + 1),
            )
            + _DAY
        )

    def reason_text(self, reason: BlockReason) -> str:
        """A removed interval's reason, with this policy's values."""
        if reason is BlockReason.PRE_SHIFT_BUFFER:
            return f"pre-shift buffer of {format_span(self.pre_shift_buffer)}"
        if reason is BlockReason.POST_SHIFT_BUFFER:
            return f"post-shift buffer of {format_span(self.post_shift_buffer)}"
        if reason is BlockReason.PROTECTED_SLEEP:
            return (
                f"protected sleep after night shift ({format_span(self.night_sleep_length)} from "
                f"{format_span(self.night_sleep_delay)} after it ends)"
            )
        if reason is BlockReason.USUAL_SLEEP:
            return f"usual sleep {self.usual_sleep_start:%H:%M}-{self.usual_sleep_end:%H:%M}"
        if reason is BlockReason.QUICK_RETURN:
            return f"quick-return gap under {format_span(self.min_rest_between_shifts)}"
        if reason is BlockReason.CONSECUTIVE_NIGHTS:
            return f"rest after {self.max_consecutive_nights} consecutive night shifts"
        return reason.text


class BlockReason(StrEnum):
    # Declared in priority order: an instant with several reasons reports the first.
    ON_DUTY = "on_duty"
    PRE_SHIFT_BUFFER = "pre_shift_buffer"
    POST_SHIFT_BUFFER = "post_shift_buffer"
    PROTECTED_SLEEP = "protected_sleep"
    QUICK_RETURN = "quick_return"  # before usual sleep: the night between two shifts says more
    USUAL_SLEEP = "usual_sleep"
    CONSECUTIVE_NIGHTS = "consecutive_nights"

    @property
    def text(self) -> str:
        return _REASON_TEXT[self]


_REASON_TEXT = {
    BlockReason.ON_DUTY: "on duty",
    BlockReason.PRE_SHIFT_BUFFER: "pre-shift buffer",
    BlockReason.POST_SHIFT_BUFFER: "post-shift buffer",
    BlockReason.PROTECTED_SLEEP: "protected sleep after night shift",
    BlockReason.USUAL_SLEEP: "usual sleep",
    BlockReason.QUICK_RETURN: "quick-return gap",
    BlockReason.CONSECUTIVE_NIGHTS: "rest after consecutive night shifts",
}


@dataclass(frozen=True, slots=True)
class BlockedInterval:
    interval: Interval
    reason: BlockReason
    text: str = ""  # with the policy's values ("quick-return gap under 10 h")


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


def off_duty_windows(
    roster: Roster, policy: FatiguePolicy, window: Interval, *, officer: bool = False
) -> OffDutyResult:
    """The parts of ``window`` fit for a session, and every removed part with its reason.
    ``officer``: the roster is the served officer's, so their sleep rules apply too."""
    reach = policy.reach()
    zone = load_zone(roster.zone) if officer else None
    return off_duty_from_shifts(shifts(roster, window.expand(reach, reach)), policy, window, zone)


def off_duty_from_shifts(
    shift_list: Sequence[Shift], policy: FatiguePolicy, window: Interval, zone: ZoneInfo | None = None
) -> OffDutyResult:
    """As :func:`off_duty_windows`, for shifts already expanded at least ``policy.reach()``
    beyond the window on both sides; ``zone`` (the officer's) adds the officer-only layers."""
    blocks = duty_blocks(shift_list)
    free = [window]
    blocked: list[BlockedInterval] = []
    for reason, intervals in fatigue_layers(shift_list, policy, window, zone, blocks):
        cut = intersect(free, intervals)
        if cut:
            text = policy.reason_text(reason)
            blocked.extend(BlockedInterval(iv, reason, text) for iv in cut)
            free = subtract(free, cut)
    blocked.sort(key=lambda b: b.interval)
    near = window.expand(policy.reach(), policy.reach())
    return OffDutyResult(
        window=window,
        windows=tuple(free),
        blocked=tuple(blocked),
        duty=tuple(b for b in blocks if b.interval.overlaps(near)),
    )


def fatigue_layers(
    shift_list: Sequence[Shift],
    policy: FatiguePolicy,
    window: Interval,
    zone: ZoneInfo | None = None,
    blocks: Sequence[DutyBlock] | None = None,
) -> list[tuple[BlockReason, list[Interval]]]:
    """Each rule's intervals in full, in priority order (overlaps kept: a pre-shift buffer
    inside the usual sleep is both)."""
    blocks = duty_blocks(shift_list) if blocks is None else blocks
    duty = [b.interval for b in blocks]
    return [
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
        (
            BlockReason.USUAL_SLEEP,
            usual_sleep(shift_list, policy.usual_sleep_start, policy.usual_sleep_end, window, zone)
            if zone
            else [],
        ),
        (
            BlockReason.CONSECUTIVE_NIGHTS,
            after_consecutive_nights(shift_list, policy.max_consecutive_nights) if zone else [],
        ),
    ]
