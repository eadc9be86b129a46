"""Anonymous feedback over an in-memory fake of our Outcomes port: one credential per officer
and fulfilled session, each used once, closed when the month is published, and nothing that
links an answer to who gave it. The same flows against Redis are in tests/integration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tenfour_outcomes.domain.facts import Outcome, SessionFact
from tenfour_outcomes.domain.periods import Period, day_number
from tenfour_outcomes.domain.pseudonyms import Pseudonyms
from tenfour_outcomes.domain.records import IssueResult, RedeemResult
from tenfour_outcomes.service.feedback import FeedbackService
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import AlreadyExists, NotAllowed, NotFound, WrongState

AGENCY = "agency-1"
DELAY = timedelta(days=10)
SESSION = datetime(2026, 3, 4, 14, tzinfo=UTC)


@dataclass
class FakeOutcomes:
    """The feedback half of the Outcomes port, as the Lua scripts keep it."""

    facts: dict[tuple[str, str], SessionFact] = field(default_factory=dict)
    issued: set[tuple[str, Period, str, str]] = field(default_factory=set)
    unused: set[tuple[str, Period, str]] = field(default_factory=set)
    used: set[tuple[str, Period, str]] = field(default_factory=set)
    totals: Counter[tuple[str, Period, str]] = field(default_factory=Counter)

    async def fact(self, agency_id: str, appointment: str) -> SessionFact | None:
        return self.facts.get((agency_id, appointment))

    async def issue(
        self, agency_id: str, month: Period, officer: str, appointment: str, digest: str, ttl: timedelta
    ) -> int:
        marker = (agency_id, month, officer, appointment)
        if marker in self.issued:
            return IssueResult.ALREADY_ISSUED
        self.issued.add(marker)
        self.unused.add((agency_id, month, digest))
        return IssueResult.ISSUED

    async def redeem(
        self, agency_id: str, month: Period, digest: str, increments: Mapping[str, int], ttl: timedelta
    ) -> int:
        key = (agency_id, month, digest)
        if key in self.used:
            return RedeemResult.USED
        if key not in self.unused:
            return RedeemResult.UNKNOWN
        self.unused.remove(key)
        self.used.add(key)
        for name, value in increments.items():
            self.totals[(agency_id, month, name)] += value
        return RedeemResult.STORED


class World:
    def __init__(self) -> None:
        self.now = SESSION + timedelta(hours=2)
        self.store = FakeOutcomes()
        self.pseudonyms = Pseudonyms(b"k" * 32)
        self.feedback = FeedbackService(self.store, self.pseudonyms, lambda: self.now, DELAY)  # type: ignore[arg-type]

    def session(self, appointment_id: str, officer: str, outcome: Outcome = Outcome.FULFILLED) -> None:
        fact = SessionFact(day_number(SESSION), outcome, (self.pseudonyms.officer(officer),), "provider")
        self.store.facts[(AGENCY, self.pseudonyms.appointment(appointment_id))] = fact

    async def answer(self, officer: str, credential: str, rating: int = 5) -> None:
        await self.feedback.submit(officer_caller(officer), credential, rating, True, 7, 3)


def officer_caller(officer: str, agency: str = AGENCY) -> Principal:
    return Principal(officer, Role.OFFICER, agency, "s", "t")


@pytest.fixture
def world() -> World:
    return World()


async def test_a_fulfilled_session_gets_one_credential_that_counts_once(world: World) -> None:
    world.session("a-1", "o-1")
    credential, closes = await world.feedback.issue(officer_caller("o-1"), "a-1")
    assert closes == Period.month(2026, 3).published_at(DELAY)
    with pytest.raises(AlreadyExists):
        await world.feedback.issue(officer_caller("o-1"), "a-1")
    await world.answer("o-1", credential, rating=4)
    with pytest.raises(AlreadyExists):
        await world.answer("o-1", credential)
    month = Period.month(2026, 3)
    assert (
        world.store.totals[(AGENCY, month, "responses")],
        world.store.totals[(AGENCY, month, "rating_sum")],
    ) == (
        1,
        4,
    )


async def test_only_the_sessions_own_officer_after_it_took_place_gets_a_credential(world: World) -> None:
    world.session("a-1", "o-1")
    world.session("a-2", "o-1", Outcome.NO_SHOW)
    with pytest.raises(NotFound):
        await world.feedback.issue(officer_caller("o-2"), "a-1")  # same answer as for no session
    with pytest.raises(NotFound):
        await world.feedback.issue(officer_caller("o-1"), "a-9")
    with pytest.raises(WrongState, match="once the session has taken place"):
        await world.feedback.issue(officer_caller("o-1"), "a-2")
    assert world.store.issued == set()


async def test_feedback_closes_when_the_month_is_published(world: World) -> None:
    world.session("a-1", "o-1")
    credential, closes = await world.feedback.issue(officer_caller("o-1"), "a-1")
    world.now = closes
    with pytest.raises(WrongState, match="closed"):
        await world.answer("o-1", credential)
    assert not world.store.totals


async def test_a_credential_of_another_agency_is_refused_and_not_used_up(world: World) -> None:
    world.session("a-1", "o-1")
    credential, _ = await world.feedback.issue(officer_caller("o-1"), "a-1")
    with pytest.raises(NotAllowed):
        await world.feedback.submit(officer_caller("o-1", "agency-2"), credential, 5, True, 7, 3)
    await world.answer("o-1", credential)  # still usable by its own agency
