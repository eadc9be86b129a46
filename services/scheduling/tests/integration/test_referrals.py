"""Warm handoff through gRPC (Monday 2 March 2026, Chicago): a peer supporter refers an officer
they have seen to a clinician licensed where the officer lives; the officer consents without
sharing "booked" and books from the referral; the peer sees "consented" only, the clinician
sees the referral in their queue without who referred. Referrals to unlicensed or deactivated
clinicians, for officers the peer never saw, answers by someone else, booking before consent
or with another clinician, and answers after expiry are refused; nothing stored changes."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2
from tenfour.events.v1.scheduling_events_pb2 import ReferralAnswered, ReferralProposed
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_shared.auth.roles import Role

from .conftest import AGENCY, Harness
from .test_licensure import WED, licence, lives_in
from .test_training import TUE, WEEKENDS, peer_rules, ts

pytestmark = pytest.mark.integration
R = rpb.ReferralState


async def refer(h: Harness, officer: str, *clinicians: str) -> rpb.Referral:
    reply: rpb.Referral = await h.stub.ProposeReferral(
        rpb.ProposeReferralRequest(officer_id=officer, clinician_ids=list(clinicians)), metadata=h.peer("p-1")
    )
    return reply


async def listed(h: Harness, metadata: tuple[tuple[str, str]]) -> list[rpb.Referral]:
    reply: rpb.ListReferralsResponse = await h.stub.ListReferrals(
        rpb.ListReferralsRequest(), metadata=metadata
    )
    return list(reply.referrals)


async def refused(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call  # type: ignore[misc]
    return error.value.code()


async def test_peer_refers_officer_consents_and_books_the_peer_sees_only_the_state(harness: Harness) -> None:
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    for clinician in ("t-ca", "t-none", "t-gone"):
        await h.provider(clinician, peer_rules(clinician))
    for clinician in ("t-ca", "t-gone"):
        await licence(
            h, clinician, "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700)
        )
    await h.publish(
        identity_events_pb2.UserDeactivated(user_id="t-gone", agency_id=AGENCY, reason_code="admin"), "t-gone"
    )
    for officer in ("o-1", "o-2"):
        await h.set_roster(officer, cycle=WEEKENDS)
        await lives_in(h, officer, "US-CA")
    await h.book("o-1", "p-1", TUE)  # the peer supports o-1
    await h.quiet()

    assert await refused(refer(h, "o-2", "t-ca")) == grpc.StatusCode.PERMISSION_DENIED  # never seen
    assert await refused(refer(h, "o-1", "t-none")) == grpc.StatusCode.FAILED_PRECONDITION  # unlicensed
    assert await refused(refer(h, "o-1", "t-gone")) == grpc.StatusCode.FAILED_PRECONDITION  # deactivated
    assert await listed(h, h.peer("p-1")) == []

    referral = await refer(h, "o-1", "t-ca")
    assert (referral.state, list(referral.clinician_ids)) == (R.REFERRAL_STATE_PROPOSED, ["t-ca"])
    assert [r.referral_id for r in await listed(h, h.officer("o-1"))] == [referral.referral_id]
    (told,) = await h.scheduling_events("scheduling.referral_proposed", at_least=1, settle=0)
    assert isinstance(told, ReferralProposed)
    assert (told.officer_id, told.agency_id) == ("o-1", AGENCY)  # for notifications: the officer only
    # ... and for outcomes' count of referrals made, by the day it was made
    assert (told.referral_id, told.proposed_at.ToDatetime()) == (
        referral.referral_id,
        h.clock.now.replace(tzinfo=None),
    )
    assert await listed(h, h.therapist("t-ca")) == []  # nothing before consent

    start = ts(WED)
    book = rpb.BookReferralRequest(referral_id=referral.referral_id, provider_id="t-ca", start=start)
    assert await refused(h.stub.BookReferral(book, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    answer = rpb.AnswerReferralRequest(referral_id=referral.referral_id, consent=True)
    assert await refused(h.stub.AnswerReferral(answer, metadata=h.officer("o-2"))) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    consented = await h.stub.AnswerReferral(answer, metadata=h.officer("o-1"))
    assert (consented.state, consented.share_booked_with_peer) == (R.REFERRAL_STATE_CONSENTED, False)
    (agreed,) = await h.scheduling_events("scheduling.referral_answered", at_least=1, settle=0)
    assert isinstance(agreed, ReferralAnswered)  # outcomes counts it accepted
    assert (agreed.referral_id, agreed.officer_id, agreed.consented) == (referral.referral_id, "o-1", True)

    other = rpb.BookReferralRequest(referral_id=referral.referral_id, provider_id="t-none", start=start)
    assert await refused(h.stub.BookReferral(other, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    done = await h.stub.BookReferral(book, metadata=h.officer("o-1"))
    assert done.referral.state == R.REFERRAL_STATE_BOOKED
    assert done.appointment.provider_id == "t-ca"
    assert done.appointment.status == AppointmentStatus.APPOINTMENT_STATUS_BOOKED
    assert done.appointment.from_referral  # outcomes counts it completed once it is held

    (seen_by_peer,) = await listed(h, h.peer("p-1"))
    assert (seen_by_peer.state, seen_by_peer.appointment_id) == (R.REFERRAL_STATE_CONSENTED, "")
    (queued,) = await listed(h, h.therapist("t-ca"))
    assert (queued.state, queued.peer_id, queued.appointment_id) == (
        R.REFERRAL_STATE_BOOKED,
        "",
        done.appointment.appointment_id,
    )

    # A second referral, shared when booked ... and one left unanswered past 14 days.
    shared = await refer(h, "o-1")
    await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=shared.referral_id, consent=True, share_booked_with_peer=True),
        metadata=h.officer("o-1"),
    )
    later = Timestamp()
    later.FromDatetime(WED + timedelta(days=2))
    await h.stub.BookReferral(
        rpb.BookReferralRequest(referral_id=shared.referral_id, provider_id="t-ca", start=later),
        metadata=h.officer("o-1"),
    )
    states = {r.referral_id: r.state for r in await listed(h, h.peer("p-1"))}
    assert states[shared.referral_id] == R.REFERRAL_STATE_BOOKED
    stale = await refer(h, "o-1", "t-ca")
    h.clock.now += timedelta(days=15)
    late = rpb.AnswerReferralRequest(referral_id=stale.referral_id, consent=True)
    assert await refused(h.stub.AnswerReferral(late, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    states = {r.referral_id: r.state for r in await listed(h, h.officer("o-1"))}
    assert states[stale.referral_id] == R.REFERRAL_STATE_EXPIRED
