"""Coordinators list and revoke their agency's codes; providers see the display names of the
officers who booked with them, learnt from scheduling's appointment events (real NATS, Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from nats.js import JetStreamContext

from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.scheduling.v1 import appointments_pb2
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams

from .conftest import Stack, unique


@pytest.fixture
async def js(stack: Stack) -> AsyncIterator[JetStreamContext]:
    nc, js = await connect_nats(stack.nats.url, "tests-as-producers")
    await ensure_streams(js)
    yield js
    await nc.drain()


def test_a_coordinator_lists_codes_without_plaintext_and_a_revoked_code_stops_working(stack: Stack) -> None:
    admin, agency = stack.a.admin, stack.a.id
    made = stack.api.stub.CreateEnrolmentCode(
        pb.CreateEnrolmentCodeRequest(agency_id=agency, max_redemptions=5, label=unique("Roll call ")),
        metadata=admin.md,
    )
    listed = stack.api.stub.ListEnrolmentCodes(
        pb.ListEnrolmentCodesRequest(agency_id=agency), metadata=admin.md
    )
    mine = next(c for c in listed.codes if c.code_id == made.code_id)
    assert (mine.label, mine.max_redemptions, mine.state) == (made.label, 5, "active")
    assert mine.redemptions_suppressed  # a handful of sign-ups is never shown
    assert made.code not in str(listed)
    assert listed.codes[0].created_at.ToDatetime() >= listed.codes[-1].created_at.ToDatetime()

    revoked = stack.api.stub.RevokeEnrolmentCode(
        pb.RevokeEnrolmentCodeRequest(agency_id=agency, code_id=made.code_id), metadata=admin.md
    )
    assert revoked.state == "revoked"
    assert revoked.HasField("revoked_at")
    with pytest.raises(grpc.RpcError) as refused:
        stack.api.redeem(made.code, agency)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    again = stack.api.stub.RevokeEnrolmentCode(
        pb.RevokeEnrolmentCodeRequest(agency_id=agency, code_id=made.code_id), metadata=admin.md
    )
    assert again.revoked_at == revoked.revoked_at  # revoking twice changes nothing
    with pytest.raises(grpc.RpcError) as missing:
        stack.api.stub.RevokeEnrolmentCode(
            pb.RevokeEnrolmentCodeRequest(agency_id=agency, code_id="code-nope"), metadata=admin.md
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_provider_sees_the_name_of_an_officer_who_booked_with_them_only(
    stack: Stack, js: JetStreamContext
) -> None:
    officer, other = stack.officer(stack.a), stack.officer(stack.a)
    therapist = stack.therapist
    ask = pb.GetOfficerNamesRequest(officer_ids=[officer.user_id, other.user_id])
    assert dict(stack.api.stub.GetOfficerNames(ask, metadata=therapist.md).display_names) == {}

    appointment = appointments_pb2.Appointment(
        appointment_id=unique("appt-"),
        agency_id=stack.a.id,
        provider_id=therapist.user_id,
        officer_ids=[officer.user_id],
        status=appointments_pb2.APPOINTMENT_STATUS_BOOKED,
    )
    await publish(
        js, build(AppointmentStatusChanged(appointment=appointment), subject=appointment.appointment_id)
    )
    names: dict[str, str] = {}
    for _ in range(200):  # identity consumes the event
        names = dict(stack.api.stub.GetOfficerNames(ask, metadata=therapist.md).display_names)
        if names:
            break
        await asyncio.sleep(0.05)
    assert names == {officer.user_id: "Night Owl"}
    # Another provider (the agency's peer supporter) learns nothing about that officer.
    peer_view = stack.api.stub.GetOfficerNames(ask, metadata=stack.a.peer.md)
    assert dict(peer_view.display_names) == {}
