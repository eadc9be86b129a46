"""Book and Reschedule over in-memory fakes of our ports: the transaction's claim → write →
confirm or release → retry, idempotency, and what a refusal leaves behind. The same flows
against the real Lua scripts are in tests/integration/test_booking.py and test_recovery.py."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest

from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_scheduling.domain.errors import SlotTaken
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.booking.reschedule import Reschedule
from tenfour_scheduling.service.booking.transaction import ATTEMPTS, Transaction
from tenfour_scheduling.service.claims import Claims
from tenfour_scheduling.service.offers import Expansions
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import ConcurrentChange, InvalidInput, WrongState

from .fakes import AGENCY, Clock, FakeAppointments, FakeFacts, every_day, pitman, utc

WED_0800 = utc(2026, 3, 4, 14)  # Wednesday 4 March 08:00 Chicago, a day off in o-1's Pitman rotation
WED_1000 = WED_0800 + timedelta(hours=2)


class World:
    def __init__(self) -> None:
        self.clock = Clock(utc(2026, 3, 1, 12))
        self.store = FakeAppointments(self.clock)
        self.facts = FakeFacts(self.store)
        self.facts.provider("t-1", every_day("t-1", time(8), time(20)))
        for officer in ("o-1", "o-2"):
            self.facts.rosters[officer] = pitman(officer)
        tx = Transaction(self.store, Claims(self.store), self.facts, Expansions(), self.clock)
        self.booking = Book(tx, self.store, self.clock)
        self.moves = Reschedule(tx, self.store)

    async def book(self, officer: str = "o-1", start: object = WED_0800, key: str = "k-1") -> object:
        return await self.booking.book(
            officer_id=officer,
            agency_id=AGENCY,
            provider_id="t-1",
            session_type=SessionType.INDIVIDUAL,
            start=start,  # type: ignore[arg-type]
            idempotency_key=key,
        )

    def officer_calendar(self, officer: str = "o-1") -> dict[str, tuple[object, bool]]:
        return {m: (e.interval.start, e.claim) for m, e in self.store.officer_entries(officer).items()}


@pytest.fixture
def world() -> World:
    return World()


async def test_a_booking_holds_both_calendars_and_its_key_replays_it(world: World) -> None:
    booked = await world.book()
    assert booked.status == AppointmentStatus.APPOINTMENT_STATUS_BOOKED  # type: ignore[attr-defined]
    appointment_id = booked.appointment_id  # type: ignore[attr-defined]
    assert world.officer_calendar() == {appointment_id: (WED_0800, False)}  # confirmed, no claim left
    assert list(world.store.provider_cal["t-1"]) == [appointment_id]
    assert await world.book() == booked  # the retry of a timed-out call gets the first result
    assert list(world.store.appointments) == [appointment_id]


async def test_a_key_reused_for_another_request_is_refused(world: World) -> None:
    await world.book()
    with pytest.raises(InvalidInput) as refused:
        await world.book(start=WED_1000)
    assert [v.field for v in refused.value.violations] == ["idempotency_key"]
    assert len(world.store.appointments) == 1


async def test_a_lost_race_is_retried_from_a_fresh_read(world: World) -> None:
    world.store.scripted = ["stale_rules"]  # the provider's rules changed between check and commit
    booked = await world.book()
    assert (world.facts.reads, world.store.commits, world.store.releases) == (2, 2, 1)
    assert list(world.store.appointments) == [booked.appointment_id]  # type: ignore[attr-defined]
    assert world.officer_calendar() == {booked.appointment_id: (WED_0800, False)}  # type: ignore[attr-defined]


async def test_a_provider_taken_meanwhile_releases_the_claim_and_frees_the_key(world: World) -> None:
    world.store.scripted = ["busy"]
    with pytest.raises(SlotTaken) as refused:
        await world.book()
    assert "meanwhile" in refused.value.message
    assert "provider_busy" in refused.value.message
    assert world.officer_calendar() == {}
    assert world.store.idempotency == {}
    booked = await world.book()  # the same key, once the cause is gone
    assert world.officer_calendar() == {booked.appointment_id: (WED_0800, False)}  # type: ignore[attr-defined]


async def test_an_attempt_that_outlives_its_claim_is_undone(world: World) -> None:
    world.store.scripted = ["expired"]
    with pytest.raises(ConcurrentChange, match="took too long"):
        await world.book()
    assert world.officer_calendar() == {}
    assert world.store.appointments == {}


async def test_every_race_lost_gives_up_with_aborted_and_leaves_nothing(world: World) -> None:
    world.store.scripted = ["stale_profile"] * ATTEMPTS
    with pytest.raises(ConcurrentChange, match="changing too fast"):
        await world.book()
    assert world.store.commits == ATTEMPTS
    assert world.store.releases == ATTEMPTS
    assert world.officer_calendar() == {}
    assert world.store.appointments == {}


async def test_a_second_officer_cannot_take_the_providers_time(world: World) -> None:
    await world.book()
    with pytest.raises(SlotTaken, match="provider_busy"):
        await world.book("o-2", key="k-2")
    assert world.officer_calendar("o-2") == {}


async def test_a_reschedule_moves_the_session_on_both_calendars(world: World) -> None:
    booked = await world.book()
    appointment_id = booked.appointment_id  # type: ignore[attr-defined]
    moved = await world.moves.reschedule(
        caller_id="o-1", appointment_id=appointment_id, new_start=WED_1000, idempotency_key="m-1"
    )
    assert moved.time.start.ToDatetime(tzinfo=UTC) == WED_1000
    assert moved.version == 2
    assert world.officer_calendar() == {appointment_id: (WED_1000, False)}
    assert world.store.provider_cal["t-1"][appointment_id].start == WED_1000


async def test_a_refused_reschedule_leaves_the_session_unchanged(world: World) -> None:
    booked = await world.book()
    appointment_id = booked.appointment_id  # type: ignore[attr-defined]
    world.store.scripted = ["busy"]
    with pytest.raises(WrongState, match="your session is unchanged"):
        await world.moves.reschedule(
            caller_id="o-1", appointment_id=appointment_id, new_start=WED_1000, idempotency_key="m-1"
        )
    assert world.officer_calendar() == {appointment_id: (WED_0800, False)}  # the move's claim is gone
    assert world.store.appointments[appointment_id].appointment == booked
