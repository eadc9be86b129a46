"""Busy time from providers' own calendars: imports, the rolling horizon, expansion on demand.

An import is expanded over a horizon of about a year (busy_horizon) and published with the rule
set. The text is kept, so the busy time can be re-expanded when the zone changes (all-day and
floating events move with it), when the horizon gets old, and for ranges beyond it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from tenfour_availability.domain.state import BusyCalendar, ProviderState, busy_horizon
from tenfour_availability.service.access import authorize, require_active, require_rules
from tenfour_availability.service.ports import ProviderRules
from tenfour_shared.auth.principal import Principal
from tenfour_shared.calendar import CalendarError, minimal_calendar, parse_busy_calendar
from tenfour_shared.timeline import Interval

__all__ = ["CalendarImports", "Clock", "busy_in", "expand_calendar", "rezoned"]

log = logging.getLogger("tenfour.availability")
Clock = Callable[[], datetime]


def expand_calendar(ics: str, now: datetime, timezone: str) -> BusyCalendar:
    """Raises IcsError (field "ics", "line N: ...") for a malformed or oversized calendar."""
    horizon = busy_horizon(now)
    return BusyCalendar(horizon, tuple(parse_busy_calendar(ics, horizon, timezone=timezone)))


def rezoned(state: ProviderState, new: ProviderState, now: datetime) -> ProviderState:
    """``new`` with the import re-expanded if the zone changed from ``state``'s."""
    if state.rules is None or new.rules is None or state.ics is None:
        return new
    if state.rules.timezone == new.rules.timezone:
        return new
    try:
        return new.with_busy(expand_calendar(state.ics, now, new.rules.timezone), state.ics)
    except CalendarError:  # valid when imported; keep what it gave rather than refuse the rules
        log.warning("calendar could not be re-expanded", extra={"provider_id": state.provider_id})
        return new


async def busy_in(
    repo: ProviderRules, state: ProviderState, window: Interval, now: datetime
) -> list[Interval]:
    """Imported busy time in ``window`` from now on: stored, or expanded for it past the horizon."""
    if state.busy is None or state.rules is None or window.end <= now:
        return []
    future = Interval(max(window.start, now), window.end)
    if state.busy.covers(future):
        return state.busy.within(future)
    ics = await repo.ics(state.provider_id)
    if ics is not None:
        try:
            return await asyncio.to_thread(parse_busy_calendar, ics, window, timezone=state.rules.timezone)
        except CalendarError:
            log.warning("calendar could not be re-expanded", extra={"provider_id": state.provider_id})
    return state.busy.within(future)


class CalendarImports:
    def __init__(
        self, repo: ProviderRules, clock: Clock, refresh_after: timedelta = timedelta(days=7)
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._refresh_after = refresh_after

    async def import_busy_calendar(self, caller: Principal, provider_id: str, ics: str) -> ProviderState:
        """Replaces the previous import. Parsed in a worker thread: a big calendar takes a while."""
        authorize(caller, provider_id)
        now = self._clock()
        state = await self._repo.get(provider_id)
        zone = require_rules(state).timezone
        require_active(state)
        busy = await asyncio.to_thread(expand_calendar, ics, now, zone)  # errors with line numbers
        # Only busy time and recurrences are kept: what events are about never reaches storage.
        ics = await asyncio.to_thread(minimal_calendar, ics)

        def mutate(current: ProviderState) -> ProviderState:
            rules = require_rules(current)
            require_active(current)
            if rules.timezone != zone:  # changed meanwhile: all-day and floating events move
                return current.with_busy(expand_calendar(ics, now, rules.timezone), ics)
            return current.with_busy(busy, ics)

        return await self._repo.change(provider_id, mutate, now)

    async def import_from_feed(self, provider_id: str, ics: str) -> int | None:
        """A subscribed calendar's new text becomes the provider's busy time, through the same
        guarded reading and minimising as an upload. The number of busy intervals, or None when
        the minimised calendar is what is stored already (then nothing is written or published)."""
        now = self._clock()
        state = await self._repo.get(provider_id, with_ics=True)
        zone = require_rules(state).timezone
        require_active(state)
        busy = await asyncio.to_thread(expand_calendar, ics, now, zone)  # IcsError with line numbers
        minimal = await asyncio.to_thread(minimal_calendar, ics)
        if state.ics == minimal:
            return None

        def mutate(current: ProviderState) -> ProviderState | None:
            rules = require_rules(current)
            require_active(current)
            if current.ics == minimal:
                return None
            if rules.timezone != zone:
                return current.with_busy(expand_calendar(minimal, now, rules.timezone), minimal)
            return current.with_busy(busy, minimal)

        after = await self._repo.change(provider_id, mutate, now)
        return len(after.busy.intervals) if after.busy is not None else 0

    async def refresh_all(self) -> int:
        """Re-expand imports older than ``refresh_after``, so the horizon keeps about a year ahead."""
        refreshed = 0
        for provider_id in await self._repo.with_imports():
            refreshed += await self._refresh(provider_id, self._clock())
        return refreshed

    def _stale(self, state: ProviderState, now: datetime) -> bool:
        return state.busy is not None and state.busy.expanded_at <= now - self._refresh_after

    async def _refresh(self, provider_id: str, now: datetime) -> int:
        state = await self._repo.get(provider_id, with_ics=True)
        ics = state.ics
        if state.rules is None or ics is None or not state.active or not self._stale(state, now):
            return 0
        zone = state.rules.timezone
        try:
            busy = await asyncio.to_thread(expand_calendar, ics, now, zone)
        except CalendarError:
            log.warning("calendar could not be re-expanded", extra={"provider_id": provider_id})
            return 0

        def mutate(current: ProviderState) -> ProviderState | None:
            unchanged = current.ics == ics and current.rules is not None and current.rules.timezone == zone
            if not (unchanged and current.active and self._stale(current, now)):
                return None  # imported again, re-zoned, deactivated or refreshed meanwhile
            return current.with_busy(busy, ics)

        after = await self._repo.change(provider_id, mutate, now)
        return int(after.version > state.version)
