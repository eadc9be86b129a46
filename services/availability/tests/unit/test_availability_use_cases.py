"""Availability's use cases over an in-memory fake of our ProviderRules port: versions and
compare-and-set, a refused change that leaves the rules as they were, the default hours, and
free time that ends at deactivation. The same flows against Redis are in tests/integration."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

import pytest

from tenfour_availability.domain.state import ProviderState
from tenfour_availability.service.availability import AvailabilityService
from tenfour_availability.service.ports import Mutation
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, RuleValidationError, Weekday, WeeklyWindow
from tenfour_shared.errors import ConcurrentChange, NotAllowed, NotFound, WrongState
from tenfour_shared.timeline import Interval

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday


@dataclass
class FakeRules:
    """The ProviderRules port as the Redis repository keeps it: version + 1 per change."""

    states: dict[str, ProviderState] = field(default_factory=dict)
    profile_zones: dict[str, str] = field(default_factory=dict)
    writes: int = 0

    async def get(self, provider_id: str, *, with_ics: bool = False) -> ProviderState:
        return self.states.get(provider_id, ProviderState(provider_id))

    async def change(
        self, provider_id: str, mutate: Mutation, now: datetime, expected_version: int = 0
    ) -> ProviderState:
        current = await self.get(provider_id)
        if expected_version and expected_version != current.version:
            raise ConcurrentChange("rules changed meanwhile")
        new = mutate(current)
        if new is None:
            return current
        if new.rules is not None:
            new = replace(
                new, rules=new.rules.model_copy(update={"version": current.version + 1}), updated_at=now
            )
        self.states[provider_id] = new
        self.writes += 1
        return new

    async def with_imports(self) -> list[str]:
        return [p for p, s in self.states.items() if s.busy is not None]

    async def profile_zone(self, provider_id: str) -> str | None:
        return self.profile_zones.get(provider_id)

    async def remember_profile_zone(self, provider_id: str, timezone: str, version: int) -> bool:
        self.profile_zones[provider_id] = timezone
        return True


def therapist(provider_id: str = "t-1") -> Principal:
    return Principal(provider_id, Role.THERAPIST, None, "s", "t")


def mornings(provider_id: str = "t-1") -> RuleSet:
    weekly = tuple(WeeklyWindow(weekday=d, start=time(8), end=time(12)) for d in Weekday)
    return RuleSet(provider_id=provider_id, timezone="America/Chicago", weekly=weekly)


@pytest.fixture
def repo() -> FakeRules:
    return FakeRules()


@pytest.fixture
def service(repo: FakeRules) -> AvailabilityService:
    return AvailabilityService(repo, lambda: NOW)


async def test_each_change_bumps_the_version_and_a_stale_one_is_refused(
    service: AvailabilityService, repo: FakeRules
) -> None:
    first = await service.set_rules(therapist(), mornings())
    second = await service.set_rules(therapist(), mornings(), expected_version=first.version)
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(ConcurrentChange):
        await service.set_rules(therapist(), mornings(), expected_version=1)
    assert (await service.get_rules(therapist(), "t-1")).version == 2


async def test_only_the_provider_may_change_their_rules(
    service: AvailabilityService, repo: FakeRules
) -> None:
    with pytest.raises(NotAllowed):
        await service.set_rules(therapist("t-2"), mornings("t-1"))
    with pytest.raises(NotFound):
        await service.get_rules(therapist(), "t-1")
    assert repo.writes == 0


async def test_default_hours_take_the_profile_zone_and_need_one(
    service: AvailabilityService, repo: FakeRules
) -> None:
    with pytest.raises(RuleValidationError):
        await service.use_default_rules(therapist(), "t-1")
    assert repo.writes == 0  # refused: nothing stored
    repo.profile_zones["t-1"] = "Europe/Berlin"
    state = await service.use_default_rules(therapist(), "t-1")
    assert state.rules is not None
    assert state.rules.timezone == "Europe/Berlin"


async def test_free_time_is_within_the_hours_and_ends_at_deactivation(
    service: AvailabilityService, repo: FakeRules
) -> None:
    await service.set_rules(therapist(), mornings())
    window = Interval(NOW, NOW + timedelta(days=2))
    _, free = await service.list_availability(therapist(), "t-1", window)
    assert free
    assert all(s.interval.start.astimezone(mornings().zone).hour >= 8 for s in free)
    await service.deactivate("t-1")
    _, after = await service.list_availability(therapist(), "t-1", window)
    assert after == []
    with pytest.raises(WrongState, match="deactivated"):
        await service.set_rules(therapist(), mornings())
