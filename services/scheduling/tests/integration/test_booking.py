"""Book through gRPC: the happy path, refusals that write nothing, who sees what, a race of
200 clients for 20 slots, and an idempotent retry storm."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import AppointmentRescheduled, AppointmentStatusChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus, DayKind
from tenfour_scheduling.adapters.facts import FactReader
from tenfour_shared.calendar import Weekday
from tenfour_shared.timeline import Interval

from .conftest import Harness, every_day, rules, start_of, utc, violations

pytestmark = pytest.mark.integration
BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED
WED_0800 = utc(2026, 3, 4, 14)  # Wednesday 4 March 08:00 in Chicago: a day off on the Pitman rota


async def booked_events(h: Harness, at_least: int) -> list[AppointmentStatusChanged]:
    events = await h.scheduling_events("scheduling.appointment_status_changed", at_least=at_least)
    return [e for e in events if isinstance(e, AppointmentStatusChanged) and e.appointment.status == BOOKED]


async def nothing_written(h: Harness) -> None:
    for pattern in (
        "scheduling:officer-cal:*",
        "scheduling:provider-cal:*",
        "scheduling:idem:*",
        "scheduling:appt:*",
    ):
        assert await h.keys_matching(pattern) == [], pattern
    assert await booked_events(h, 0) == []


async def test_book_then_read_it_back_as_each_party(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    booked = await harness.book("o-1", "t-1", WED_0800)
    assert (booked.status, booked.version, list(booked.officer_ids), booked.capacity) == (
        BOOKED,
        1,
        ["o-1"],
        1,
    )
    assert booked.appointment_id.startswith("t-1.")
    assert booked.agency_id == "agency-1"
    assert booked.time.end.ToDatetime(tzinfo=UTC) - WED_0800 == timedelta(minutes=50)
    assert await harness.get(booked.appointment_id, "o-1") == booked
    mine = await harness.stub.ListAppointments(pb.ListAppointmentsRequest(), metadata=harness.officer("o-1"))
    assert [a.appointment_id for a in mine.appointments] == [booked.appointment_id]
    theirs = await harness.stub.ListAppointments(
        pb.ListAppointmentsRequest(), metadata=harness.therapist("t-1")
    )
    assert [a.appointment_id for a in theirs.appointments] == [booked.appointment_id]
    events = await booked_events(harness, 1)
    assert [e.appointment for e in events] == [booked]
    assert events[0].previous_status == AppointmentStatus.APPOINTMENT_STATUS_UNSPECIFIED

    # Nobody else sees it: another officer, another provider, the agency's admin.
    for meta in (harness.officer("o-2"), harness.therapist("t-2")):
        with pytest.raises(grpc.RpcError) as hidden:
            await harness.stub.GetAppointment(
                pb.GetAppointmentRequest(appointment_id=booked.appointment_id), metadata=meta
            )
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
        listed = await harness.stub.ListAppointments(pb.ListAppointmentsRequest(), metadata=meta)
        assert not listed.appointments
    for call, request in (
        (harness.stub.GetAppointment, pb.GetAppointmentRequest(appointment_id=booked.appointment_id)),
        (harness.stub.ListAppointments, pb.ListAppointmentsRequest()),
    ):
        with pytest.raises(grpc.RpcError) as admin:
            await call(request, metadata=harness.admin())  # type: ignore[operator]
        assert admin.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # The same officer, another session the same day: the agency allows one a day.
    with pytest.raises(grpc.RpcError) as second:
        await harness.book("o-1", "t-1", WED_0800 + timedelta(hours=3))
    assert second.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "officer_day_limit" in (second.value.details() or "")


@pytest.mark.parametrize(
    ("start", "provider", "reason"),
    [
        (utc(2026, 3, 3, 15), "t-1", "on_duty"),  # Tue 09:00, inside the 07:00-19:00 day shift
        (utc(2026, 3, 4, 1, 30), "t-1", "post_shift_buffer"),  # Tue 19:30, 30 min after the shift
        (utc(2026, 3, 5, 3), "t-1", "outside_provider_hours"),  # Wed 21:00, after the provider's 20:00
        (utc(2026, 3, 2, 12, 30), "t-1", "too_soon"),  # 30 min from now; 2 h notice
        (WED_0800, "t-foreign", "provider_unavailable"),  # serves another agency
        (WED_0800, "t-nobody", "provider_unavailable"),  # unknown to the read model
    ],
)
async def test_refused_bookings_say_why_and_write_nothing(
    harness: Harness, start: datetime, provider: str, reason: str
) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.provider(
        "t-foreign", rules("t-foreign", every_day(time(8), time(20))), agencies=("agency-2",)
    )
    await harness.set_roster("o-1")
    with pytest.raises(grpc.RpcError) as caught:
        await harness.book("o-1", provider, start)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = caught.value.details() or ""
    assert details.endswith(f"({reason})"), details
    await nothing_written(harness)


async def test_bad_book_requests_are_invalid_argument(harness: Harness) -> None:
    await harness.set_roster("o-1")
    good = pb.BookRequest(idempotency_key="k", provider_id="t-1")
    good.start.FromDatetime(WED_0800)
    cases: list[tuple[pb.BookRequest, list[str]]] = []
    for change, fields in (
        (dict(idempotency_key=""), ["idempotency_key"]),
        (dict(idempotency_key="k" * 256), ["idempotency_key"]),
        (dict(provider_id="has{braces}"), ["provider_id"]),
        (dict(session_type=common.SESSION_TYPE_CRISIS), ["session_type"]),
    ):
        request = pb.BookRequest()
        request.CopyFrom(good)
        for name, value in change.items():
            setattr(request, name, value)
        cases.append((request, fields))
    off_minute = pb.BookRequest()
    off_minute.CopyFrom(good)
    off_minute.start.FromDatetime(WED_0800 + timedelta(seconds=7))
    cases.append((off_minute, ["start"]))
    for request, fields in cases:
        with pytest.raises(grpc.RpcError) as caught:
            await harness.stub.Book(request, metadata=harness.officer("o-1"))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violations(caught.value) == fields
    other = pb.BookRequest()
    other.CopyFrom(good)
    other.officer_id = "o-2"
    with pytest.raises(grpc.RpcError) as for_someone_else:
        await harness.stub.Book(other, metadata=harness.officer("o-1"))
    assert for_someone_else.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_200_clients_race_for_20_slots(harness: Harness) -> None:
    providers = [f"r-{i}" for i in range(4)]
    for p in providers:  # Wednesdays 09:00-14:00: five 50-minute sessions with their 10-minute buffers
        await harness.provider(p, rules(p, [(Weekday.WEDNESDAY, time(9), time(14))]))
    slots = [(p, utc(2026, 3, 4, 15 + k)) for p in providers for k in range(5)]
    officers = [f"o-{i:03d}" for i in range(150)]
    await asyncio.gather(*(harness.set_roster(o) for o in officers))
    won: list[Appointment] = []
    taken: set[tuple[str, datetime]] = set()  # what a client would see when it searched again
    outcomes: Counter[str] = Counter()

    async def client(index: int) -> None:
        officer = officers[index % len(officers)]  # 50 officers race themselves with two clients
        order = random.Random(index).sample(slots, len(slots))
        for attempt, slot in enumerate(order):
            for retry in range(5):
                if slot in taken:
                    break
                try:
                    won.append(await harness.book(officer, *slot, key=f"c{index}-{attempt}-{retry}"))
                    taken.add(slot)
                    return
                except grpc.RpcError as exc:
                    outcomes[exc.code().name] += 1
                    if "officer_day_limit" in (exc.details() or ""):
                        return  # this officer's other client won
                    if exc.code() != grpc.StatusCode.ABORTED:
                        break

    await asyncio.gather(*(client(i) for i in range(200)))
    assert len(won) == 20, outcomes
    assert sorted((a.provider_id, start_of(a)) for a in won) == sorted(slots)
    by_officer: dict[str, list[Interval]] = defaultdict(list)
    for a in won:
        by_officer[a.officer_ids[0]].append(Interval(start_of(a), a.time.end.ToDatetime(tzinfo=UTC)))
    assert all(len(spans) == 1 for spans in by_officer.values())  # one a day, never two at once
    for p in providers:  # the provider's own view: five sessions, none overlapping
        listed = await harness.stub.ListAppointments(
            pb.ListAppointmentsRequest(), metadata=harness.therapist(p)
        )
        starts = sorted(start_of(a) for a in listed.appointments)
        assert len(starts) == 5
        assert all(b - a >= timedelta(hours=1) for a, b in itertools.pairwise(starts))
    events = await booked_events(harness, 20)
    assert Counter(e.appointment.appointment_id for e in events) == Counter(a.appointment_id for a in won)
    # Every losing claim was released: only the 20 confirmed sessions remain on officers' calendars.
    members = []
    for key in await harness.keys_matching("scheduling:officer-cal:*"):
        members += [m.decode() for m in await harness.redis.zrange(key, 0, -1)]
    assert len(members) == 20
    assert not [m for m in members if "|C|" in m]


async def test_idempotent_retry_storm(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    outcomes: Counter[str] = Counter()

    async def retrying() -> Appointment:
        while True:
            try:
                return await harness.book("o-1", "t-1", WED_0800, key="same-key")
            except grpc.RpcError as exc:
                outcomes[exc.code().name] += 1  # only "still running": anything else fails below
                if exc.code() != grpc.StatusCode.ABORTED:
                    raise
                await asyncio.sleep(0.01)

    results = await asyncio.gather(*(retrying() for _ in range(40)))
    assert len({r.appointment_id for r in results}) == 1
    assert all(r == results[0] for r in results)
    assert len(await booked_events(harness, 1)) == 1
    # A retry long after (same key, same request) still answers the first result...
    assert await harness.book("o-1", "t-1", WED_0800, key="same-key") == results[0]
    # ...and the same key for another request is an error, not a second booking.
    with pytest.raises(grpc.RpcError) as reused:
        await harness.book("o-1", "t-1", WED_0800 + timedelta(days=7), key="same-key")
    assert reused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(reused.value) == ["idempotency_key"]
    (key,) = await harness.keys_matching("scheduling:idem:*")
    assert 24 * 3600 - 60 < await harness.redis.ttl(key) <= 24 * 3600


class StalledReads:
    """Our own read port, held at a barrier after reading: every attempt checks the same stale
    state, so only the atomic scripts can tell them apart."""

    def __init__(self, inner: FactReader, parties: int) -> None:
        self._inner = inner
        self._barrier = asyncio.Barrier(parties)

    async def read(self, *args: Any, **kwargs: Any) -> Any:
        result = await self._inner.read(*args, **kwargs)
        with contextlib.suppress(asyncio.BrokenBarrierError):
            await asyncio.wait_for(self._barrier.wait(), 5)
        return result


async def test_the_atomic_step_refuses_what_every_check_let_through(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for p in ("t-1", "t-2", "t-3"):
        await harness.provider(p, rules(p, every_day(time(8), time(20))))
    officers = [f"o-{i}" for i in range(27)]
    await asyncio.gather(*(harness.set_roster(o) for o in officers))
    booking = harness.process.services.book._tx  # the transaction every booking reads through
    monkeypatch.setattr(booking, "_facts", StalledReads(booking._facts, 30))
    # 27 officers for one provider's 08:00, and one officer for three providers at 08:00.
    calls = [harness.book(o, "t-1", WED_0800) for o in officers]
    calls += [
        harness.book("o-0", p, WED_0800 + timedelta(hours=2), key=f"self-{p}") for p in ("t-1", "t-2", "t-3")
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    provider_race, officer_race = results[:27], results[27:]
    assert sum(isinstance(r, Appointment) for r in provider_race) == 1
    refused = [r for r in provider_race if isinstance(r, grpc.RpcError)]
    assert all(r.code() == grpc.StatusCode.FAILED_PRECONDITION for r in refused)
    # Nothing in memory could tell: the scripts refused them ("meanwhile", or the claim's day limit).
    assert all("meanwhile" in (r.details() or "") or "officer_" in (r.details() or "") for r in refused)
    winners = [r for r in provider_race if isinstance(r, Appointment)]
    own = [r for r in officer_race if isinstance(r, Appointment)]
    assert len(own) + (winners[0].officer_ids[0] == "o-0") <= 1  # o-0 never holds two sessions a day
    events = await booked_events(harness, len(winners) + len(own))
    assert len(events) == len(winners) + len(own)


async def test_each_booking_records_whether_it_falls_on_the_officers_day_off_or_work_day(
    harness: Harness,
) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(6), time(23))))
    await harness.set_roster("o-1")  # Pitman DD--DDD--DD--- from Monday 2 March
    await harness.set_roster("o-2")
    tue_2000 = utc(2026, 3, 4, 2)  # Tuesday 3 March 20:00 Chicago, after a 07:00-19:00 day shift
    off = await harness.book("o-1", "t-1", WED_0800)
    work = await harness.book("o-2", "t-1", tue_2000)
    assert list(off.officer_day_kinds) == [DayKind.DAY_KIND_DAY_OFF]
    assert list(work.officer_day_kinds) == [DayKind.DAY_KIND_WORK_DAY]
    events = {e.appointment.appointment_id: e.appointment for e in await booked_events(harness, 2)}
    assert list(events[off.appointment_id].officer_day_kinds) == [DayKind.DAY_KIND_DAY_OFF]
    assert list(events[work.appointment_id].officer_day_kinds) == [DayKind.DAY_KIND_WORK_DAY]

    # A reschedule records the new day's kind: o-1 moves to Friday 6 March 20:00, a work day.
    request = pb.RescheduleRequest(idempotency_key="move-1", appointment_id=off.appointment_id)
    request.new_start.FromDatetime(utc(2026, 3, 7, 2))
    moved: Appointment = await harness.stub.Reschedule(request, metadata=harness.officer("o-1"))
    assert list(moved.officer_day_kinds) == [DayKind.DAY_KIND_WORK_DAY]
    (rescheduled,) = await harness.scheduling_events("scheduling.appointment_rescheduled", at_least=1)
    assert isinstance(rescheduled, AppointmentRescheduled)
    assert list(rescheduled.appointment.officer_day_kinds) == [DayKind.DAY_KIND_WORK_DAY]
