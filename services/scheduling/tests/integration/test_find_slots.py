"""FindSlots end to end from availability and identity events (no availability or identity
service runs here at all: slot finding works from scheduling's read models alone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import Weekday
from tenfour_shared.timeline import Interval, load_zone

from .conftest import CHICAGO, NOW, Harness, every_day, rules, ts_range, violations

pytestmark = pytest.mark.integration
WEEKDAYS = [d for d in Weekday if d <= Weekday.FRIDAY]


async def fleet(h: Harness) -> None:
    await h.provider("t-en", rules("t-en", every_day(time(8), time(20))), specialties=("trauma_ptsd",))
    await h.provider("t-es", rules("t-es", [(d, time(9), time(17)) for d in WEEKDAYS]), languages=("es",))
    await h.provider("t-other", rules("t-other", every_day(time(0), time(0))), agencies=("agency-2",))
    # A peer supporter on nights offers evenings: only their off-duty evenings are bookable.
    await h.set_roster("p-fr", "pitman", date(2026, 3, 2), cycle="NN--NNN--NN---", role=Role.PEER_SUPPORTER)
    await h.provider(
        "p-fr",
        rules("p-fr", every_day(time(10), time(22))),
        kind=common.PROVIDER_KIND_PEER,
        languages=("fr-CA",),
    )
    await h.set_roster("o-1")  # Pitman days 07:00-19:00 from Mon 2 March


async def find(h: Harness, officer: str = "o-1", **fields: object) -> pb.FindSlotsResponse:
    reply: pb.FindSlotsResponse = await h.stub.FindSlots(
        pb.FindSlotsRequest(**fields),  # type: ignore[arg-type]
        metadata=h.officer(officer),
    )
    return reply


def interval(slot: pb.Slot) -> Interval:
    return Interval(slot.time.start.ToDatetime(tzinfo=UTC), slot.time.end.ToDatetime(tzinfo=UTC))


async def duty(h: Harness, officer: str, role: Role = Role.OFFICER) -> list[Interval]:
    meta = h.peer(officer) if role is Role.PEER_SUPPORTER else h.officer(officer)
    reply = await h.stub.GetShifts(
        pb.GetShiftsRequest(range=ts_range(NOW - timedelta(days=2), NOW + timedelta(days=20))), metadata=meta
    )
    return [
        Interval(s.time.start.ToDatetime(tzinfo=UTC), s.time.end.ToDatetime(tzinfo=UTC)) for s in reply.shifts
    ]


async def test_ranked_slots_fit_shifts_and_provider_hours(harness: Harness) -> None:
    await fleet(harness)
    reply = await find(harness, limit=200)
    assert reply.slots
    assert not reply.empty_reason
    shifts = await duty(harness, "o-1")
    peer_shifts = await duty(harness, "p-fr", Role.PEER_SUPPORTER)
    zone = load_zone(CHICAGO)
    hours = {"t-en": (time(8), time(20)), "t-es": (time(9), time(17)), "p-fr": (time(10), time(22))}
    for slot in reply.slots:
        span = interval(slot)
        assert span.start >= NOW + timedelta(hours=2)  # the providers' notice
        # Never on duty, nor 90 min before / 60 min after a shift (BRIEF §2 defaults).
        assert not any(span.overlaps(s.expand(timedelta(minutes=90), timedelta(minutes=60))) for s in shifts)
        begin, end = hours[slot.provider_id]
        local = span.start.astimezone(zone)
        assert begin <= local.time()
        assert (span.end - timedelta(minutes=1)).astimezone(zone).time() < end
        assert datetime.fromisoformat(slot.local_start) == span.start
        assert slot.local_start.endswith(("-06:00", "-05:00"))
        assert slot.reason
        assert slot.provider_display_name == f"Dr {slot.provider_id}"
        if slot.provider_id == "p-fr":  # a peer's own shifts and rest count too
            assert slot.provider_kind == common.PROVIDER_KIND_PEER
            assert not any(
                span.overlaps(s.expand(timedelta(minutes=90), timedelta(hours=9))) for s in peer_shifts
            )
    assert {s.provider_id for s in reply.slots} == {"t-en", "t-es", "p-fr"}  # never agency-2's
    # At most one session a day: ranked best first, scores strictly falling.
    assert [s.score for s in reply.slots] == sorted((s.score for s in reply.slots), reverse=True)
    assert "day off" in reply.slots[0].reason


async def test_filters_and_an_empty_answer_with_its_reason(harness: Harness) -> None:
    await fleet(harness)
    french = await find(harness, filters=pb.SlotFilters(languages=["fr"]))
    assert {s.provider_id for s in french.slots} == {"p-fr"}
    trauma = await find(
        harness,
        filters=pb.SlotFilters(specialties=["trauma_ptsd"], provider_kind=common.PROVIDER_KIND_THERAPIST),
    )
    assert {s.provider_id for s in trauma.slots} == {"t-en"}
    nobody = await find(harness, filters=pb.SlotFilters(gender="female"))
    assert not nobody.slots
    assert nobody.empty_reason_code == "no_filter_match"
    assert nobody.empty_reason == "no provider matches the filters: gender=female"


def minutes_of(n: int) -> Duration:
    out = Duration()
    out.FromTimedelta(timedelta(minutes=n))
    return out


async def test_a_coarser_step_offers_starts_on_its_grid_and_reaches_further(harness: Harness) -> None:
    await fleet(harness)
    fine = await find(harness, limit=40)
    coarse = await find(harness, limit=40, step=minutes_of(60))
    assert {interval(s).start.minute for s in coarse.slots} == {0}
    assert max(interval(s).start for s in coarse.slots) > max(interval(s).start for s in fine.slots)


async def test_bad_search_input_names_the_field(harness: Harness) -> None:
    await fleet(harness)
    too_far = Duration()
    too_far.FromTimedelta(timedelta(days=100))
    cases = [
        (dict(horizon=too_far), ["horizon"]),
        (dict(limit=5000), ["limit"]),
        (dict(step=minutes_of(7)), ["step"]),
        (dict(session_type=common.SESSION_TYPE_CRISIS), ["session_type"]),
    ]
    for fields, expected in cases:
        with pytest.raises(grpc.RpcError) as caught:
            await find(harness, **fields)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violations(caught.value) == expected
    with pytest.raises(grpc.RpcError) as no_roster:
        await find(harness, "o-without-roster")
    assert no_roster.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as someone_else:
        await find(harness, officer_id="o-2")
    assert someone_else.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_newest_rules_win_and_bookings_are_respected(harness: Harness) -> None:
    await fleet(harness)
    # Version 2 closes t-en on Wednesdays; a late version 1 must not reopen it.
    await harness.provider(
        "t-en", rules("t-en", [(d, time(8), time(20)) for d in Weekday if d != Weekday.WEDNESDAY], version=2)
    )
    await harness.provider("t-en", rules("t-en", every_day(time(8), time(20)), version=1), wait=False)
    await harness.provider("t-es", rules("t-es", [], version=2))  # no hours at all
    await harness.until_read_model("t-en", 2, harness.profile_versions["t-en"])
    reply = await find(
        harness, limit=200, filters=pb.SlotFilters(provider_kind=common.PROVIDER_KIND_THERAPIST)
    )
    zone = load_zone(CHICAGO)
    assert reply.slots
    assert all(s.provider_id == "t-en" for s in reply.slots)
    assert all(interval(s).start.astimezone(zone).weekday() != 2 for s in reply.slots)
    # Another officer books the first one: it is gone for o-1, buffers included.
    await harness.set_roster("o-2")
    first = interval(reply.slots[0])
    await harness.book("o-2", "t-en", first.start)
    again = await find(
        harness, limit=200, filters=pb.SlotFilters(provider_kind=common.PROVIDER_KIND_THERAPIST)
    )
    taken = first.expand(timedelta(minutes=10), timedelta(minutes=10))
    assert not any(interval(s).overlaps(taken) for s in again.slots)
