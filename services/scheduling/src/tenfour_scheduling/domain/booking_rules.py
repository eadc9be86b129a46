"""Rules a new session must keep with existing bookings and caps, shared by the slot search
and the booking-time re-check so both decide identically."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.providers import SessionOffer
from tenfour_shared.timeline import Interval, local_to_utc, merge

__all__ = ["capped_days", "local_day", "local_week", "officer_busy", "provider_busy"]

_DAY = timedelta(days=1)


def local_day(day: date, zone: ZoneInfo) -> Interval:
    """A local calendar date in UTC: 23 or 25 h long on DST change days."""
    return Interval(local_to_utc(day, time(0), zone), local_to_utc(day + _DAY, time(0), zone))


def local_week(day: date, zone: ZoneInfo) -> Interval:
    """The local ISO week (Monday to Monday) containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Interval(local_to_utc(monday, time(0), zone), local_to_utc(monday + 7 * _DAY, time(0), zone))


def provider_busy(session: SessionOffer, bookings: Iterable[Interval]) -> list[Interval]:
    """Where a new session may not lie: every booking widened by both buffers on both sides,
    because the new session's buffers and the booking's buffers must not overlap."""
    pad = session.buffer_before + session.buffer_after
    return merge(b.expand(pad, pad) for b in bookings)


def officer_busy(session: SessionOffer, bookings: Iterable[Interval]) -> list[Interval]:
    """Where a new session may not lie given the officer's other sessions: the new session's
    own buffers must stay clear of them (they are booked elsewhere, with unknown buffers)."""
    return merge(b.expand(session.buffer_after, session.buffer_before) for b in bookings)


def capped_days(
    bookings: Iterable[Interval], zone: ZoneInfo, per_day: int | None, per_week: int | None = None
) -> list[Interval]:
    """Local days and ISO weeks whose bookings reached a cap: no new session may *start* in
    them. Sessions count on the local date they start."""
    starts = [b.start.astimezone(zone).date() for b in bookings]
    out: list[Interval] = []
    if per_day is not None:
        out.extend(local_day(d, zone) for d, n in Counter(starts).items() if n >= per_day)
    if per_week is not None:
        mondays = Counter(d - timedelta(days=d.weekday()) for d in starts)
        out.extend(local_week(m, zone) for m, n in mondays.items() if n >= per_week)
    return merge(out)
