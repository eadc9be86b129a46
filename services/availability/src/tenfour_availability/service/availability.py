"""Use cases of the availability service.

Inputs arrive as validated domain values (tenfour_shared.calendar); calendar errors carry domain
field paths that the entrypoint renames to its request's fields. Every change goes through
RulesRepository.change: one atomic write of the new state and its event, so a refused change
leaves the stored rules exactly as they were.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from tenfour_availability.adapters.rules_repository import RulesRepository
from tenfour_availability.domain.free_time import FreeSpan, free_spans
from tenfour_availability.domain.state import BusyCalendar, ProviderState, busy_horizon
from tenfour_availability.service.access import authorize
from tenfour_shared.auth.principal import Principal
from tenfour_shared.calendar import (
    CalendarError,
    FieldViolation,
    RuleSet,
    RuleValidationError,
    SessionType,
    TimeOff,
    expand,
    parse_busy_calendar,
    parse_rule_set,
)
from tenfour_shared.calendar.expand import check_range
from tenfour_shared.errors import FailedPrecondition, NotFound
from tenfour_shared.timeline import Interval

__all__ = ["AvailabilityService", "Clock", "expand_calendar"]

log = logging.getLogger("tenfour.availability")
Clock = Callable[[], datetime]


def expand_calendar(ics: str, now: datetime, timezone: str) -> BusyCalendar:
    """Raises IcsError (field "ics", "line N: ...") for a malformed or oversized calendar."""
    horizon = busy_horizon(now)
    return BusyCalendar(horizon, tuple(parse_busy_calendar(ics, horizon, timezone=timezone)))


def default_rules(provider_id: str, timezone: str, time_off: tuple[TimeOff, ...] = ()) -> RuleSet:
    """Mon-Fri 09:00-17:00 individual sessions with default settings, keeping ``time_off``."""
    parse_rule_set({"provider_id": provider_id, "timezone": timezone})  # field errors first
    rules = RuleSet.default(provider_id, timezone)
    return rules.revise(time_off=time_off) if time_off else rules


def _require_rules(state: ProviderState) -> RuleSet:
    if state.rules is None:
        raise FailedPrecondition("set your hours first (SetRules or UseDefaultRules)")
    return state.rules


def _require_active(state: ProviderState) -> None:
    if not state.active:
        raise FailedPrecondition("this provider was deactivated; availability can no longer change")


def _rezoned(state: ProviderState, new: ProviderState, now: datetime) -> ProviderState:
    """Re-expand the imported calendar when the zone changed: all-day and floating events move."""
    if state.rules is None or new.rules is None or state.ics is None:
        return new
    if state.rules.timezone == new.rules.timezone:
        return new
    try:
        return new.with_busy(expand_calendar(state.ics, now, new.rules.timezone), state.ics)
    except CalendarError:  # valid when imported; keep what it gave rather than refuse the rules
        log.warning("calendar could not be re-expanded", extra={"provider_id": state.provider_id})
        return new


class AvailabilityService:
    def __init__(
        self, repo: RulesRepository, clock: Clock, refresh_after: timedelta = timedelta(days=7)
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._refresh_after = refresh_after

    async def get_rules(self, caller: Principal, provider_id: str) -> ProviderState:
        authorize(caller, provider_id)
        state = await self._repo.get(provider_id)
        if state.rules is None:
            raise NotFound("this provider has no availability rules yet")
        return state

    async def set_rules(
        self, caller: Principal, rules: RuleSet, labels: tuple[str, ...] = (), expected_version: int = 0
    ) -> ProviderState:
        authorize(caller, rules.provider_id)
        now = self._clock()

        def mutate(state: ProviderState) -> ProviderState:
            _require_active(state)
            return _rezoned(state, state.with_rules(rules, labels), now)

        return await self._repo.change(rules.provider_id, mutate, now, expected_version)

    async def use_default_rules(
        self, caller: Principal, provider_id: str, timezone: str = "", expected_version: int = 0
    ) -> ProviderState:
        """Bookable in one call; the zone defaults to the stored rules', else the identity profile's."""
        authorize(caller, provider_id)
        now = self._clock()
        profile_zone = "" if timezone else await self._repo.profile_zone(provider_id) or ""

        def mutate(state: ProviderState) -> ProviderState:
            _require_active(state)
            zone = timezone or (state.rules.timezone if state.rules else "") or profile_zone
            if not zone:
                raise RuleValidationError(
                    [FieldViolation("timezone", "is required: no rules or profile give one yet")]
                )
            kept = state.rules.time_off if state.rules else ()
            new = state.with_rules(default_rules(provider_id, zone, kept), state.labels)
            return _rezoned(state, new, now)

        return await self._repo.change(provider_id, mutate, now, expected_version)

    async def import_busy_calendar(self, caller: Principal, provider_id: str, ics: str) -> ProviderState:
        """Replaces the previous import. Parsed in a worker thread: a big calendar takes a while."""
        authorize(caller, provider_id)
        now = self._clock()
        state = await self._repo.get(provider_id)
        zone = _require_rules(state).timezone
        _require_active(state)
        busy = await asyncio.to_thread(expand_calendar, ics, now, zone)

        def mutate(current: ProviderState) -> ProviderState:
            rules = _require_rules(current)
            _require_active(current)
            if rules.timezone != zone:  # changed meanwhile: all-day and floating events move
                return current.with_busy(expand_calendar(ics, now, rules.timezone), ics)
            return current.with_busy(busy, ics)

        return await self._repo.change(provider_id, mutate, now)

    async def list_availability(
        self, caller: Principal, provider_id: str, window: Interval, only: SessionType | None = None
    ) -> tuple[ProviderState, list[FreeSpan]]:
        """Free time in ``window`` (at most 366 days); nothing before now, nothing once deactivated."""
        authorize(caller, provider_id)
        check_range(window)
        state = await self._repo.get(provider_id)
        if state.rules is None:
            raise NotFound("this provider has no availability rules yet")
        if not state.active:
            return state, []
        now = self._clock()
        busy = await self._busy_in(state, window, now)
        return state, free_spans(expand(state.rules, window, busy, now).free, only)

    async def _busy_in(self, state: ProviderState, window: Interval, now: datetime) -> list[Interval]:
        if state.busy is None or state.rules is None or window.end <= now:
            return []
        future = Interval(max(window.start, now), window.end)
        if state.busy.covers(future):
            return state.busy.within(future)
        # Past the stored horizon: expand the import for exactly this window.
        ics = await self._repo.ics(state.provider_id)
        if ics is not None:
            try:
                return await asyncio.to_thread(
                    parse_busy_calendar, ics, window, timezone=state.rules.timezone
                )
            except CalendarError:
                log.warning("calendar could not be re-expanded", extra={"provider_id": state.provider_id})
        return state.busy.within(future)

    async def deactivate(self, provider_id: str) -> ProviderState:
        """Identity deactivated the user: not bookable any more, and rules no longer change."""

        def mutate(state: ProviderState) -> ProviderState | None:
            return state.deactivated() if state.active else None

        state = await self._repo.change(provider_id, mutate, self._clock())
        await self._repo.forget_import(provider_id)
        return state

    async def remember_profile_zone(self, provider_id: str, timezone: str, version: int) -> bool:
        return await self._repo.remember_profile_zone(provider_id, timezone, version)

    async def refresh_busy_calendars(self) -> int:
        """Re-expand imports whose horizon is older than ``refresh_after``; the count refreshed."""
        refreshed = 0
        for provider_id in await self._repo.with_imports():
            refreshed += await self._refresh(provider_id, self._clock())
        return refreshed

    def _stale(self, state: ProviderState, now: datetime) -> bool:
        return state.busy is not None and state.busy.expanded_at <= now - self._refresh_after

    async def _refresh(self, provider_id: str, now: datetime) -> int:
        state = await self._repo.get(provider_id, with_ics=True)
        ics = state.ics
        if state.rules is None or ics is None or not state.active:
            await self._repo.forget_import(provider_id)
            return 0
        if not self._stale(state, now):
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
