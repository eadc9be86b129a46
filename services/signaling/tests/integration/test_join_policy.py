"""Who may join, and when: deny by default; the reason decides the status code."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_testing.signaling import Cluster, appointment, publish_rescheduled, publish_status


async def refused(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


def join(cluster: Cluster, appointment_id: str, md: Any) -> Awaitable[pb.JoinResponse]:
    return cluster.a.stub.Join(pb.JoinRequest(appointment_id=appointment_id), metadata=md)


async def test_only_the_booked_people_with_fitting_tokens_get_in(cluster: Cluster) -> None:
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    outsider = await refused(join(cluster, appointment_id, cluster.md(Role.OFFICER, "officer-2")))
    assert outsider.code() == grpc.StatusCode.PERMISSION_DENIED
    assert outsider.details() == "you are not a participant of this session"
    other_agency = await refused(
        join(cluster, appointment_id, cluster.md(Role.OFFICER, "officer-1", "agency-2"))
    )
    assert other_agency.code() == grpc.StatusCode.PERMISSION_DENIED
    wrong_role = await refused(join(cluster, appointment_id, cluster.md(Role.THERAPIST, "officer-1")))
    assert wrong_role.code() == grpc.StatusCode.PERMISSION_DENIED
    admin = await refused(join(cluster, appointment_id, cluster.md(Role.AGENCY_ADMIN, "officer-1")))
    assert admin.code() == grpc.StatusCode.PERMISSION_DENIED  # by the RPC policy
    anonymous = await refused(cluster.a.stub.Join(pb.JoinRequest(appointment_id=appointment_id)))
    assert anonymous.code() == grpc.StatusCode.UNAUTHENTICATED
    unknown = await refused(join(cluster, "appt-never-booked", cluster.md(Role.OFFICER, "officer-1")))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    # Outsiders are refused everything else about the room too.
    peek = await refused(
        cluster.b.stub.GetRoom(
            pb.GetRoomRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-other")
        )
    )
    assert peek.code() == grpc.StatusCode.PERMISSION_DENIED
    ice = await refused(
        cluster.b.stub.GetIceServers(
            pb.GetIceServersRequest(appointment_id=appointment_id),
            metadata=cluster.md(Role.OFFICER, "officer-2"),
        )
    )
    assert ice.code() == grpc.StatusCode.PERMISSION_DENIED
    # The booked officer gets in (a peer supporter may also take part as an officer).
    joined = await join(cluster, appointment_id, cluster.md(Role.OFFICER, "officer-1"))
    assert joined.waiting


async def test_too_early_is_refused_until_the_room_opens_and_urgent_rooms_open_at_once(
    cluster: Cluster,
) -> None:
    tomorrow = await cluster.book(("officer-1",), "dr-lee", start_in=timedelta(days=1))
    early = await refused(join(cluster, tomorrow, cluster.md(Role.OFFICER, "officer-1")))
    assert early.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert early.details() == "this session is not open yet"
    crisis = await cluster.book(("officer-1",), "dr-lee", start_in=timedelta(hours=2), urgent=True)
    assert not (await join(cluster, crisis, cluster.md(Role.THERAPIST, "dr-lee"))).waiting


@pytest.mark.parametrize("cluster", [{"room_grace_after_minutes": 0}], indirect=True)
async def test_too_late_is_refused_once_the_window_has_passed(cluster: Cluster) -> None:
    appointment_id = await cluster.book(
        ("officer-1",), "dr-lee", start_in=timedelta(seconds=-59), length=timedelta(minutes=1)
    )
    await asyncio.sleep(1.5)
    late = await refused(join(cluster, appointment_id, cluster.md(Role.OFFICER, "officer-1")))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert late.details() in ("this session's time has passed", "this session has ended")
    events = await cluster.lifecycle(appointment_id, 1)
    assert events[0][0] == "signaling.session_ended"  # the sweeper closed it: a no-show
    assert not events[0][1].any_officer_joined
    assert events[0][1].reason_code == "window_closed"


async def test_a_cancelled_appointment_closes_its_room_and_a_reschedule_moves_the_window(
    cluster: Cluster,
) -> None:
    start = datetime.now(UTC) + timedelta(minutes=1)
    appt = appointment("appt-moving", "dr-lee", ["officer-1"], start, start + timedelta(minutes=50))
    await publish_status(cluster.js, appt)
    await cluster.wait_room("appt-moving", "dr-lee")
    moved = appointment(
        "appt-moving",
        "dr-lee",
        ["officer-1"],
        start + timedelta(days=1),
        start + timedelta(days=1, minutes=50),
    )
    await publish_rescheduled(cluster.js, moved, appt.time)
    for _ in range(200):
        room = await cluster.wait_room("appt-moving", "dr-lee")
        if room.opens_at.ToDatetime(tzinfo=UTC) > start + timedelta(hours=12):
            break
        await asyncio.sleep(0.025)
    early = await refused(join(cluster, "appt-moving", cluster.md(Role.OFFICER, "officer-1")))
    assert early.code() == grpc.StatusCode.FAILED_PRECONDITION

    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    joined = await join(cluster, appointment_id, cluster.md(Role.THERAPIST, "dr-lee"))
    stream = cluster.b.stub.Subscribe(
        pb.SubscribeRequest(session_id=joined.session_id, last_seen_seq=joined.resume_from_seq),
        metadata=cluster.md(Role.THERAPIST, "dr-lee"),
    )
    cancelled = appointment(
        appointment_id, "dr-lee", ["officer-1"], start, start + timedelta(minutes=50),
        status=AppointmentStatus.APPOINTMENT_STATUS_CANCELLED,
    )  # fmt: skip
    await publish_status(cluster.js, cancelled)
    async with asyncio.timeout(10):
        async for event in stream:
            if event.WhichOneof("body") == "session_ended":
                assert event.session_ended.reason_code == "cancelled"
                break
    ended = await refused(join(cluster, appointment_id, cluster.md(Role.OFFICER, "officer-1")))
    assert ended.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert ended.details() == "this session has ended"


async def test_group_room_follows_its_seats(cluster: Cluster) -> None:
    """A group offered with no seats taken makes no room; when the last seat is released the
    room closes, so a former member cannot walk back in."""
    start = datetime.now(UTC) + timedelta(minutes=1)
    empty = appointment("appt-group-seats", "dr-lee", (), start, start + timedelta(minutes=90))
    await publish_status(cluster.js, empty)
    seated = appointment(
        "appt-group-seats", "dr-lee", ("officer-1", "officer-2"), start, start + timedelta(minutes=90)
    )
    await publish_status(cluster.js, seated)
    await cluster.wait_room("appt-group-seats", "dr-lee")  # the empty offer did not block the stream
    await publish_status(cluster.js, empty)
    refusal = None
    for _ in range(200):
        try:
            await join(cluster, "appt-group-seats", cluster.md(Role.OFFICER, "officer-1"))
        except grpc.aio.AioRpcError as exc:
            refusal = exc.code()
            break
        await asyncio.sleep(0.025)
    assert refusal in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND)
