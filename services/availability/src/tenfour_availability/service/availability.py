"""Use cases on providers' rules, and their free time.

Inputs arrive as validated domain values (tenfour_shared.calendar); calendar errors carry domain
field paths that the entrypoint renames to its request's fields. Every change goes through
ProviderRules.change: one atomic write of the new state and its event, so a refused change
leaves the stored rules exactly as they were.
"""

from __future__ import annotations

from tenfour_availability.domain.free_time import FreeSpan, free_spans
from tenfour_availability.domain.state import ProviderState
from tenfour_availability.service.access import authorize, require_active
from tenfour_availability.service.calendars import Clock, busy_in, rezoned
from tenfour_availability.service.ports import ProviderRules
from tenfour_shared.auth.principal import Principal
from tenfour_shared.calendar import (
    FieldViolation,
    RuleSet,
    RuleValidationError,
    SessionType,
    TimeOff,
    expand,
    parse_rule_set,
)
from tenfour_shared.calendar.expand import check_range
from tenfour_shared.errors import NotFound
from tenfour_shared.timeline import Interval

__all__ = ["AvailabilityService", "default_rules"]


def default_rules(provider_id: str, timezone: str, time_off: tuple[TimeOff, ...] = ()) -> RuleSet:
    """Mon-Fri 09:00-17:00 individual sessions with default settings, keeping ``time_off``."""
    parse_rule_set({"provider_id": provider_id, "timezone": timezone})  # field errors first
    rules = RuleSet.default(provider_id, timezone)
    return rules.revise(time_off=time_off) if time_off else rules


class AvailabilityService:
    def __init__(self, repo: ProviderRules, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

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
            require_active(state)
            return rezoned(state, state.with_rules(rules, labels), now)

        return await self._repo.change(rules.provider_id, mutate, now, expected_version)

    async def use_default_rules(
        self, caller: Principal, provider_id: str, timezone: str = "", expected_version: int = 0
    ) -> ProviderState:
        """Bookable in one call; the zone defaults to the stored rules', else the identity profile's."""
        authorize(caller, provider_id)
        now = self._clock()
        profile_zone = "" if timezone else await self._repo.profile_zone(provider_id) or ""

        def mutate(state: ProviderState) -> ProviderState:
            require_active(state)
            zone = timezone or (state.rules.timezone if state.rules else "") or profile_zone
            if not zone:
                raise RuleValidationError(
                    [FieldViolation("timezone", "is required: no rules or profile give one yet")]
                )
            kept = state.rules.time_off if state.rules else ()
            new = state.with_rules(default_rules(provider_id, zone, kept), state.labels)
            return rezoned(state, new, now)

        return await self._repo.change(provider_id, mutate, now, expected_version)

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
        busy = await busy_in(self._repo, state, window, now)
        return state, free_spans(expand(state.rules, window, busy, now).free, only)

    async def deactivate(self, provider_id: str) -> ProviderState:
        """Identity deactivated the user: not bookable any more, and rules no longer change."""

        def mutate(state: ProviderState) -> ProviderState | None:
            return state.deactivated() if state.active else None

        return await self._repo.change(provider_id, mutate, self._clock())

    async def remember_profile_zone(self, provider_id: str, timezone: str, version: int) -> bool:
        return await self._repo.remember_profile_zone(provider_id, timezone, version)
