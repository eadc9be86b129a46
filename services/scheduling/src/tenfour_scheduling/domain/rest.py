"""How rested the officer is at a given moment, for ranking slots and explaining them.

Best to worst: a day off; after a day shift; earlier on a day with a later shift; after a
swing shift; after a night shift (even past the protected sleep, sleep after nights is short).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.fatigue import DutyBlock, format_span
from tenfour_scheduling.domain.reasons import Reason
from tenfour_scheduling.domain.roster import ShiftKind
from tenfour_shared.timeline import Interval, local_to_utc

__all__ = ["RestContext", "RestTimeline", "format_span"]

_DAY = timedelta(days=1)


class RestContext(StrEnum):
    DAY_OFF = "day_off"
    AFTER_DAY_SHIFT = "after_day_shift"
    BEFORE_SHIFT = "before_shift"
    AFTER_SWING_SHIFT = "after_swing_shift"
    AFTER_NIGHT_SHIFT = "after_night_shift"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {ctx: i for i, ctx in enumerate(RestContext)}
_AFTER = {
    ShiftKind.DAY: RestContext.AFTER_DAY_SHIFT,
    ShiftKind.SWING: RestContext.AFTER_SWING_SHIFT,
    ShiftKind.NIGHT: RestContext.AFTER_NIGHT_SHIFT,
}


@dataclass(frozen=True, slots=True)
class _Piece:
    start: datetime
    context: RestContext


class RestTimeline:
    """Piecewise-constant rest context over the officer's local dates ``first``..``last``.

    A local date with no duty at all is a day off. On other dates the context is "before
    shift" until a duty block ends that date, then "after <kind>" of the block that ended.
    """

    def __init__(
        self, blocks: Sequence[DutyBlock], zone: ZoneInfo, first: date, last: date, wake: time
    ) -> None:
        self._blocks = sorted(blocks, key=lambda b: b.interval)
        self._block_starts = [b.interval.start for b in self._blocks]
        self._ends = [b.interval.end for b in self._blocks]
        self._zone, self._wake = zone, wake
        self._pieces: list[_Piece] = []
        day = first
        midnight = local_to_utc(day, time(0), zone)
        while day <= last:
            next_midnight = local_to_utc(day + _DAY, time(0), zone)
            today = Interval(midnight, next_midnight)
            touching = [b for b in self._blocks if b.interval.overlaps(today)]
            if not touching:
                self._pieces.append(_Piece(midnight, RestContext.DAY_OFF))
            else:
                self._pieces.append(_Piece(midnight, RestContext.BEFORE_SHIFT))
                for b in touching:
                    if b.interval.end < next_midnight:
                        self._pieces.append(_Piece(b.interval.end, _AFTER[b.rest_kind]))
            day, midnight = day + _DAY, next_midnight
        self._starts = [p.start for p in self._pieces]
        self.end = midnight
        self._because: dict[datetime, tuple[RestContext, Reason]] = {}  # kept: slots repeat

    def segments(self, span: Interval) -> list[tuple[Interval, RestContext]]:
        """``span`` cut where the rest context changes."""
        out: list[tuple[Interval, RestContext]] = []
        i = max(bisect_right(self._starts, span.start) - 1, 0)
        cursor = span.start
        while cursor < span.end and i < len(self._pieces):
            upto = self._starts[i + 1] if i + 1 < len(self._pieces) else self.end
            stop = min(upto, span.end)
            if cursor < stop:
                out.append((Interval(cursor, stop), self._pieces[i].context))
            cursor, i = max(cursor, stop), i + 1
        return out

    def context_at(self, moment: datetime) -> RestContext:
        i = bisect_right(self._starts, moment) - 1
        return self._pieces[max(i, 0)].context

    def describe(self, moment: datetime) -> tuple[RestContext, str]:
        """The context at ``moment`` and a phrase such as "after day shift, 3 h after it ends"."""
        ctx, reason = self.because(moment)
        return ctx, reason.text

    def because(self, moment: datetime) -> tuple[RestContext, Reason]:
        """The context at ``moment`` and why, as a code with values (see ``reasons``)."""
        known = self._because.get(moment)
        if known is None:
            if len(self._because) >= 512:  # a few searches' slots: kept timelines stay small
                self._because.clear()
            known = self._because[moment] = self._reason(moment)
        return known

    def _reason(self, moment: datetime) -> tuple[RestContext, Reason]:
        ctx = self.context_at(moment)
        if ctx is RestContext.DAY_OFF:
            local = moment.astimezone(self._zone)
            wake = local_to_utc(local.date(), self._wake, self._zone)
            if moment >= wake:
                return ctx, Reason.day_off_after_waking(moment - wake)
            return ctx, Reason.day_off_before_waking(wake - moment)
        if ctx is RestContext.BEFORE_SHIFT:
            i = bisect_right(self._block_starts, moment - timedelta(microseconds=1))
            if i < len(self._blocks):
                nxt = self._blocks[i]
                return ctx, Reason.before_shift(nxt.first_kind.value, nxt.interval.start - moment)
            return ctx, Reason.on_duty_day()
        i = bisect_right(self._ends, moment) - 1
        prev = self._blocks[i]
        return ctx, Reason.after_shift(prev.rest_kind.value, moment - prev.interval.end)
