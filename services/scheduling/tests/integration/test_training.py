"""Peer-supporter readiness through gRPC, with the injected clock: a peer whose required
training expires is offered up to that instant only (FindSlots, urgent routing), is warned 30
days ahead and at the lapse (events for notifications), and on expiry their booked sessions
become conflicts with alternatives; coordinators' bad input is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import PeerTrainingLapsed, PeerTrainingLapsing, UrgentAssigned
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, SessionSettings, SessionType, Weekday, WeeklyWindow

from .conftest import AGENCY, CHICAGO, Harness, utc, violations
from .test_conflicts import until_conflicts

pytestmark = pytest.mark.integration
WEEKENDS = "-----DD"  # day shifts on Saturday and Sunday from Monday 2 March: weekdays are free
EXPIRY = utc(2026, 3, 5, 18)  # Thursday 5 March, 12:00 in Chicago
TUE = utc(2026, 3, 10, 15)  # Tuesday 10 March, 10:00 CDT: after the expiry
COURSE = "peer_initial_40h"


def peer_rules(provider_id: str) -> RuleSet:
    """Individual and crisis sessions 00:00-23:30, every day."""
    weekly = tuple(
        WeeklyWindow(
            weekday=d, start=time(0), end=time(23, 30), offers=(SessionType.INDIVIDUAL, SessionType.CRISIS)
        )
        for d in Weekday
    )
    sessions = (
        SessionSettings(session_type=SessionType.INDIVIDUAL, duration=timedelta(minutes=50)),
        SessionSettings(session_type=SessionType.CRISIS, duration=timedelta(minutes=30)),
    )
    return RuleSet(provider_id=provider_id, timezone=CHICAGO, weekly=weekly, sessions=sessions, version=1)


async def accept_urgent(h: Harness, provider_id: str, request_id: str) -> pb.UrgentOfferReply:
    reply: pb.UrgentOfferReply = await h.stub.AcceptUrgentRequest(
        pb.AcceptUrgentRequestRequest(request_id=request_id), metadata=h.therapist(provider_id)
    )
    return reply


def ts(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


async def record(
    h: Harness, peer: str, completed: datetime, expires: datetime | None, agency: str = AGENCY
) -> tpb.TrainingRecord:
    r = tpb.TrainingRecord(peer_id=peer, course=COURSE, provider="State academy", completed_at=ts(completed))
    if expires is not None:
        r.expires_at.FromDatetime(expires)
    reply: tpb.TrainingRecord = await h.stub.RecordTraining(
        tpb.RecordTrainingRequest(record=r), metadata=h.admin(agency)
    )
    return reply


async def peer_slots(h: Harness, officer: str) -> list[pb.Slot]:
    horizon = Duration()
    horizon.FromTimedelta(timedelta(days=14))
    reply: pb.FindSlotsResponse = await h.stub.FindSlots(
        pb.FindSlotsRequest(horizon=horizon, limit=200), metadata=h.officer(officer)
    )
    return [s for s in reply.slots if s.provider_id == "p-1"]


async def readiness(h: Harness, peer: str) -> tpb.PeerReadiness:
    reply: tpb.PeerReadiness = await h.stub.GetPeerReadiness(
        tpb.GetPeerReadinessRequest(), metadata=h.peer(peer)
    )
    return reply


async def test_a_lapsing_peer_is_offered_until_expiry_then_their_sessions_become_conflicts(
    harness: Harness,
) -> None:
    h = harness
    for peer in ("p-1", "p-2"):
        await h.set_roster(peer, cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
        await h.provider(peer, peer_rules(peer), kind=common.PROVIDER_KIND_PEER)
    for officer in ("o-1", "o-2", "o-3", "o-4"):
        await h.set_roster(officer, cycle=WEEKENDS)
    # Booked while the agency required nothing.
    booked = await h.book("o-1", "p-1", TUE)

    policy = tpb.TrainingPolicy(required=[tpb.RequiredCourse(course=COURSE, title="Initial 40-hour course")])
    await h.stub.SetTrainingPolicy(tpb.SetTrainingPolicyRequest(policy=policy), metadata=h.admin())
    # Nobody has the course yet: no peer is offered.
    assert await peer_slots(h, "o-2") == []
    assert (await readiness(h, "p-1")).state == tpb.READINESS_STATE_LAPSED

    await record(h, "p-1", utc(2025, 3, 1), EXPIRY)
    await record(h, "p-2", utc(2025, 3, 1), None)  # does not expire
    slots = await peer_slots(h, "o-2")
    assert slots, "a peer with current training is offered"
    assert all(s.time.end.ToDatetime(tzinfo=UTC) <= EXPIRY for s in slots)
    mine = await readiness(h, "p-1")
    assert mine.state == tpb.READINESS_STATE_LAPSING
    assert mine.offered
    assert mine.ready_until.ToDatetime(tzinfo=UTC) == EXPIRY
    # The lapse is within 30 days: the warning goes out at the worker's next pass.
    assert await h.process.services.training.drive() == 1
    (warning,) = await h.scheduling_events("scheduling.peer_training_lapsing", at_least=1, settle=0)
    assert isinstance(warning, PeerTrainingLapsing)
    assert (warning.peer_id, list(warning.courses)) == ("p-1", [COURSE])
    # Before the expiry the booked session stands (the peer may still renew).
    await h.quiet()
    assert not (await h.get(booked.appointment_id, "o-1")).conflict

    # Urgent routing before the expiry: p-1 is offered a peer-first request and takes it.
    first = await h.stub.RequestUrgentSession(
        pb.RequestUrgentSessionRequest(prefer_peer_first=True), metadata=h.officer("o-3")
    )
    taken = await accept_urgent(h, "p-1", first.request_id)
    assert taken.appointment.provider_id == "p-1"

    h.clock.now = EXPIRY
    assert await h.process.services.training.drive() == 1
    (lapsed,) = await h.scheduling_events("scheduling.peer_training_lapsed", at_least=1, settle=0)
    assert isinstance(lapsed, PeerTrainingLapsed)
    assert lapsed.peer_id == "p-1"
    (conflict,) = await until_conflicts(h, "o-1", 1)
    assert conflict.appointment.appointment_id == booked.appointment_id
    assert conflict.reason_code == "training_lapsed"
    assert conflict.alternatives
    assert all(a.provider_id != "p-1" for a in conflict.alternatives)
    assert await peer_slots(h, "o-2") == []
    mine = await readiness(h, "p-1")
    assert mine.state == tpb.READINESS_STATE_LAPSED
    assert not mine.offered

    later = await h.stub.RequestUrgentSession(
        pb.RequestUrgentSessionRequest(prefer_peer_first=True), metadata=h.officer("o-2")
    )
    # The lapsed peer is no longer offered it; the trained one is.
    with pytest.raises(grpc.aio.AioRpcError) as not_offered:
        await accept_urgent(h, "p-1", later.request_id)
    assert not_offered.value.code() in {
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
    }
    assert (await accept_urgent(h, "p-2", later.request_id)).appointment.provider_id == "p-2"
    assigned = await h.scheduling_events("scheduling.urgent_assigned", at_least=2, settle=0)
    assert all(isinstance(a, UrgentAssigned) for a in assigned)

    # Renewed: offered again, and the flag is cleared.
    await record(h, "p-1", EXPIRY - timedelta(hours=1), EXPIRY + timedelta(days=365))
    assert await until_conflicts(h, "o-1", 0) == []
    assert await peer_slots(h, "o-4")


async def test_bad_training_input_is_refused_and_changes_nothing(harness: Harness) -> None:
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    await h.provider("t-1", peer_rules("t-1"))
    now = h.clock.now

    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await record(h, "p-1", now - timedelta(days=10), now - timedelta(days=20))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(bad.value) == ["record.expires_at"]
    with pytest.raises(grpc.aio.AioRpcError) as future:
        await record(h, "p-1", now + timedelta(days=1), None)
    assert violations(future.value) == ["record.completed_at"]
    with pytest.raises(grpc.aio.AioRpcError) as therapist:
        await record(h, "t-1", now - timedelta(days=1), None)
    assert therapist.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as other_agency:
        await record(h, "p-1", now - timedelta(days=1), None, agency="agency-2")
    assert other_agency.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as other_policy:
        await h.stub.SetTrainingPolicy(
            tpb.SetTrainingPolicyRequest(policy=tpb.TrainingPolicy(agency_id=AGENCY)),
            metadata=h.admin("agency-2"),
        )
    assert other_policy.value.code() == grpc.StatusCode.PERMISSION_DENIED
    dup = [tpb.RequiredCourse(course=COURSE), tpb.RequiredCourse(course=COURSE)]
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await h.stub.SetTrainingPolicy(
            tpb.SetTrainingPolicyRequest(policy=tpb.TrainingPolicy(required=dup)), metadata=h.admin()
        )
    assert violations(twice.value) == ["policy.required[1].course"]
    with pytest.raises(grpc.aio.AioRpcError) as someone_else:
        await h.stub.GetPeerReadiness(tpb.GetPeerReadinessRequest(peer_id="p-9"), metadata=h.peer("p-1"))
    assert someone_else.value.code() == grpc.StatusCode.PERMISSION_DENIED

    listed: tpb.ListPeerReadinessResponse = await h.stub.ListPeerReadiness(
        tpb.ListPeerReadinessRequest(), metadata=h.admin()
    )
    assert [(p.peer_id, list(p.records)) for p in listed.peers] == [("p-1", [])]
    policy: tpb.TrainingPolicy = await h.stub.GetTrainingPolicy(
        tpb.GetTrainingPolicyRequest(), metadata=h.admin()
    )
    assert (policy.version, list(policy.required)) == (0, [])
    assert listed.peers[0].state == tpb.READINESS_STATE_NOT_REQUIRED
    assert listed.peers[0].offered
