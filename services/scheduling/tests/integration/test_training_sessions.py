"""Training sessions for staff through gRPC: the plan ranks times by how many invitees can
attend (rosters and rest rules), scheduling seats those who can (up to the seats), nobody else
sees or takes a seat, and attendance from signaling's events records the course for the peer
supporters who were in the call (once)."""

from __future__ import annotations

from datetime import datetime, timedelta

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.signaling_events_pb2 import ParticipantConnected, ParticipantJoined, SessionEnded
from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour.scheduling.v1 import training_sessions_pb2 as spb
from tenfour_shared.auth.roles import Role

from .conftest import AGENCY, Harness, ts_range, utc, violations
from .test_groups import both, group_slots, seat
from .test_training import peer_rules

pytestmark = pytest.mark.integration
WEEKENDS = "-----DD"  # day shifts on Saturday and Sunday: weekdays are free
WEEKDAYS = "DDDDD--"  # 07:00-19:00 on weekdays: never free in the facilitator's 08:00-20:00
TUE_0800 = utc(2026, 3, 3, 14)  # Tuesday 3 March, 08:00 in Chicago


async def staff(h: Harness) -> None:
    await h.provider("t-1", both("t-1"))
    for user, role, cycle in (
        ("o-1", common.ROLE_OFFICER, WEEKENDS),
        ("o-2", common.ROLE_OFFICER, WEEKENDS),
        ("o-3", common.ROLE_OFFICER, WEEKDAYS),
        ("o-9", common.ROLE_OFFICER, WEEKENDS),
        ("p-1", common.ROLE_PEER_SUPPORTER, WEEKENDS),
        ("p-2", common.ROLE_PEER_SUPPORTER, WEEKENDS),
    ):
        await h.publish(UserRegistered(user_id=user, agency_id=AGENCY, role=role), user)
        peer = role == common.ROLE_PEER_SUPPORTER
        await h.set_roster(user, cycle=cycle, role=Role.PEER_SUPPORTER if peer else Role.OFFICER)
        if peer:
            await h.provider(user, peer_rules(user), kind=common.PROVIDER_KIND_PEER)
    await h.publish(UserRegistered(user_id="x-1", agency_id="agency-2", role=common.ROLE_OFFICER), "x-1")
    await h.quiet()


INVITED = ["o-1", "o-2", "o-3", "p-1", "p-2"]


async def plan(h: Harness, invitees: list[str], end: datetime, role: str = "admin") -> spb.TrainingPlan:
    request = spb.PlanTrainingRequest(
        facilitator_id="t-1", invitee_ids=invitees, window=ts_range(utc(2026, 3, 3), end), limit=3
    )
    meta = h.admin() if role == "admin" else h.officer("o-1")
    reply: spb.TrainingPlan = await h.stub.PlanTraining(request, metadata=meta)
    return reply


async def test_a_training_lands_where_most_can_attend_and_attendance_fills_the_record(
    harness: Harness,
) -> None:
    h = harness
    await staff(h)
    best = await plan(h, INVITED, utc(2026, 3, 6))
    first = best.times[0]
    assert (first.start.ToDatetime(), first.can_attend, first.invited) == (
        TUE_0800.replace(tzinfo=None),
        4,
        5,
    )
    assert all(t.can_attend <= first.can_attend for t in best.times)

    for invitees, end, code in (
        (["o-1", "x-1"], utc(2026, 3, 6), grpc.StatusCode.PERMISSION_DENIED),  # another agency's officer
        ([], utc(2026, 3, 6), grpc.StatusCode.INVALID_ARGUMENT),
        (INVITED, utc(2026, 4, 30), grpc.StatusCode.INVALID_ARGUMENT),  # over 31 days
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await plan(h, invitees, end)
        assert refused.value.code() == code
    with pytest.raises(grpc.aio.AioRpcError) as officer:
        await plan(h, INVITED, utc(2026, 3, 6), role="officer")
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED

    session = spb.TrainingSession(
        course="annual_refresher", title="Annual peer refresher", facilitator_id="t-1",
        seats=3, valid_months=12, invitee_ids=INVITED,
    )  # fmt: skip
    request = spb.ScheduleTrainingRequest(session=session, start=first.start, idempotency_key="tr-1")
    bad = spb.ScheduleTrainingRequest(idempotency_key="tr-bad", start=first.start)
    bad.session.CopyFrom(session)
    bad.session.seats = 30
    with pytest.raises(grpc.aio.AioRpcError) as too_many:
        await h.stub.ScheduleTraining(bad, metadata=h.admin())
    assert violations(too_many.value) == ["session.seats"]
    scheduled: spb.TrainingSession = await h.stub.ScheduleTraining(request, metadata=h.admin())
    assert list(scheduled.seated_ids) == ["o-1", "o-2", "p-1"]  # o-3 is on duty; 3 seats
    assert await h.stub.ScheduleTraining(request, metadata=h.admin()) == scheduled  # a retry
    training_id = scheduled.training_id

    # Nobody else sees or takes a seat.
    assert [s for s in await group_slots(h, "o-9") if s.group_appointment_id == training_id] == []
    with pytest.raises(grpc.aio.AioRpcError) as outsider:
        await seat(h, "o-9", training_id)
    assert outsider.value.code() == grpc.StatusCode.NOT_FOUND
    mine = (
        await h.stub.ListTrainingSessions(spb.ListTrainingSessionsRequest(), metadata=h.peer("p-2"))
    ).sessions
    assert [(s.training_id, s.seated, list(s.invitee_ids)) for s in mine] == [(training_id, False, [])]
    assert (
        await h.stub.ListTrainingSessions(spb.ListTrainingSessionsRequest(), metadata=h.officer("o-9"))
    ).sessions == []

    # Attendance from signaling: p-1 and o-1 were in the call, o-2 only in the waiting room.
    h.clock.now = TUE_0800 + timedelta(hours=3)
    await h.publish(
        ParticipantJoined(appointment_id=training_id, participant_id="p-1", waiting=True), training_id
    )
    await h.publish(ParticipantConnected(appointment_id=training_id, participant_id="p-1"), training_id)
    await h.publish(
        ParticipantJoined(appointment_id=training_id, participant_id="o-1", waiting=False), training_id
    )
    await h.publish(
        ParticipantJoined(appointment_id=training_id, participant_id="o-2", waiting=True), training_id
    )
    for _ in range(2):  # redelivered: recorded once
        await h.publish(SessionEnded(appointment_id=training_id, any_officer_joined=True), training_id)
    await h.quiet()
    (listed,) = (
        await h.stub.ListTrainingSessions(spb.ListTrainingSessionsRequest(), metadata=h.admin())
    ).sessions
    assert (listed.ended, list(listed.attended_ids)) == (True, ["o-1", "p-1"])
    readiness: tpb.PeerReadiness = await h.stub.GetPeerReadiness(
        tpb.GetPeerReadinessRequest(), metadata=h.peer("p-1")
    )
    assert [(r.course, r.source, r.expires_at.ToDatetime().year) for r in readiness.records] == [
        ("annual_refresher", "training_session", 2027)
    ]
    other: tpb.PeerReadiness = await h.stub.GetPeerReadiness(
        tpb.GetPeerReadinessRequest(), metadata=h.peer("p-2")
    )
    assert list(other.records) == []
