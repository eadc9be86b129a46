"""FindSlots keeps what it read of each provider between searches, per provider stamp and
change log: every kind of change a search depends on must show in the very next search."""

from __future__ import annotations

import asyncio
from datetime import UTC, time

import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.change_log import LOG, OWNER
from tenfour_shared.auth.roles import Role
from tenfour_shared.timeline import Interval, load_zone

from .conftest import AGENCY, CHICAGO, Harness, every_day, rules

pytestmark = pytest.mark.integration
ZONE = load_zone(CHICAGO)


async def find(h: Harness, **filters: object) -> list[pb.Slot]:
    reply = await h.stub.FindSlots(
        pb.FindSlotsRequest(limit=200, filters=pb.SlotFilters(**filters)),  # type: ignore[arg-type]
        metadata=h.officer("o-1"),
    )
    return list(reply.slots)


def span(slot: pb.Slot) -> Interval:
    return Interval(slot.time.start.ToDatetime(tzinfo=UTC), slot.time.end.ToDatetime(tzinfo=UTC))


def of(slots: list[pb.Slot], provider: str) -> list[Interval]:
    return [span(s) for s in slots if s.provider_id == provider]


async def test_each_kind_of_change_shows_in_the_next_search(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", rules("t-1", every_day(time(0), time(0))))  # around the clock
    await h.set_roster("p-1", cycle="-", role=Role.PEER_SUPPORTER)  # always off duty
    await h.provider("p-1", rules("p-1", every_day(time(10), time(22))), kind=common.PROVIDER_KIND_PEER)
    await h.set_roster("o-1", cycle="-")
    await h.set_roster("o-2", cycle="-")
    first = of(await find(h), "t-1")[0]

    # A booking on the provider's calendar, then its cancellation.
    booked = await h.book("o-2", "t-1", first.start)
    assert first not in of(await find(h), "t-1")
    await h.stub.Cancel(pb.CancelRequest(appointment_id=booked.appointment_id), metadata=h.officer("o-2"))
    assert first in of(await find(h), "t-1")

    # More notes on the change log since the search's position than a search reads (other
    # providers' changes): the search reads every stamp again and still sees the booking.
    async with h.redis.pipeline(transaction=False) as pipe:
        for n in range(300):
            pipe.xadd(LOG, {OWNER: f"elsewhere-{n}"})
        await pipe.execute()
    again = await h.book("o-2", "t-1", first.start, key="again")
    assert first not in of(await find(h), "t-1")
    await h.stub.Cancel(pb.CancelRequest(appointment_id=again.appointment_id), metadata=h.officer("o-2"))
    assert first in of(await find(h), "t-1")

    # A peer supporter's own session as an officer takes their time as a provider.
    mine = of(await find(h), "p-1")[0]
    await h.stub.Book(_book(mine), metadata=h.peer("p-1"))
    assert not any(s.overlaps(mine) for s in of(await find(h), "p-1"))

    # The peer's roster: day shifts 07:00-19:00 leave only their evenings (rest after a shift).
    await h.set_roster("p-1", cycle="D", role=Role.PEER_SUPPORTER)
    evenings = of(await find(h), "p-1")
    assert evenings
    assert all(s.start.astimezone(ZONE).time() >= time(20) for s in evenings)

    # A profile change: t-1 now speaks Spanish.
    assert not of(await find(h, languages=["es"]), "t-1")
    await h.provider("t-1", rules("t-1", every_day(time(0), time(0))), languages=("es",))
    assert of(await find(h, languages=["es"]), "t-1")

    # New rules: only the new hours.
    await h.provider("t-1", rules("t-1", every_day(time(9), time(10)), version=2), languages=("es",))
    early = of(await find(h), "t-1")
    assert early
    assert all(time(9) <= s.start.astimezone(ZONE).time() < time(10) for s in early)

    # Deactivation: never offered again.
    await h.publish(
        identity_events_pb2.UserDeactivated(user_id="t-1", agency_id=AGENCY, reason_code="admin"), "t-1"
    )
    for _ in range(200):  # until the event is processed
        if not of(await find(h), "t-1"):
            break
        await asyncio.sleep(0.02)
    assert not of(await find(h), "t-1")

    # Every key of t-1 lost (a flush, a restore) and written again by newer events: the new
    # stamp is not the one the search kept, so the new hours show.
    for key in await h.keys_matching("scheduling:*{t-1}*"):
        await h.redis.delete(key)
    await h.provider("t-1", rules("t-1", every_day(time(8), time(9)), version=3))
    again = of(await find(h), "t-1")
    assert again
    assert all(s.start.astimezone(ZONE).time() < time(9) for s in again)


def _book(slot: Interval) -> pb.BookRequest:
    request = pb.BookRequest(
        idempotency_key="peer-own", provider_id="t-1", session_type=common.SESSION_TYPE_INDIVIDUAL
    )
    request.start.FromDatetime(slot.start)
    return request
