"""A referral to the agency's clinician pool, and referrals agreed to but never booked (Monday 2
March 2026, Chicago; the officer lives in California). When the officer agrees, the pool is told:
the referral goes into the queue of each clinician of the agency who could see that officer (an
active clinician licensed in California), and only theirs; asking for times tells them again. A
clinician outside the pool neither sees it nor proposes times. A referral agreed to and not booked
within 30 days expires (later while proposed times are still open)."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2
from tenfour.events.v1.scheduling_events_pb2 import ReferralQueued, ReferralTimesRequested
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour_shared.auth.roles import Role

from .conftest import AGENCY, Harness, utc
from .test_licensure import WED, licence, lives_in
from .test_referral_times import propose, stored
from .test_referrals import listed, refer, refused
from .test_training import TUE, WEEKENDS, peer_rules, ts

pytestmark = pytest.mark.integration
R = rpb.ReferralState


async def test_the_pool_is_told_and_only_clinicians_who_may_see_the_officer_are_in_it(
    harness: Harness,
) -> None:
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    year_ago, in_two_years = h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700)
    for clinician, where in (("t-ca", "US-CA"), ("t-ca2", "US-CA"), ("t-gone", "US-CA"), ("t-tx", "US-TX")):
        await h.provider(clinician, peer_rules(clinician))
        await licence(h, clinician, where, year_ago, in_two_years)
    await h.publish(
        identity_events_pb2.UserDeactivated(user_id="t-gone", agency_id=AGENCY, reason_code="admin"), "t-gone"
    )
    await h.set_roster("o-1", cycle=WEEKENDS)
    await lives_in(h, "o-1", "US-CA")
    await h.book("o-1", "p-1", TUE)  # the peer supports o-1
    await h.quiet()

    pool = await refer(h, "o-1")  # no clinician named: the agency's pool
    assert list(pool.clinician_ids) == []
    assert await h.scheduling_events("scheduling.referral_queued", settle=0) == []  # not before consent
    await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=pool.referral_id, consent=True), metadata=h.officer("o-1")
    )
    (queued,) = await h.scheduling_events("scheduling.referral_queued", at_least=1, settle=0)
    assert isinstance(queued, ReferralQueued)  # notifications tells each of them
    assert (queued.referral_id, sorted(queued.clinician_ids)) == (pool.referral_id, ["t-ca", "t-ca2"])
    assert b"o-1" not in queued.SerializeToString()
    assert b"p-1" not in queued.SerializeToString()

    for clinician in ("t-ca", "t-ca2"):
        assert [r.referral_id for r in await listed(h, h.therapist(clinician))] == [pool.referral_id]
    assert await listed(h, h.therapist("t-tx")) == []  # not licensed where the officer lives

    await h.stub.RequestReferralTimes(
        rpb.RequestReferralTimesRequest(referral_id=pool.referral_id), metadata=h.officer("o-1")
    )
    (asked,) = await h.scheduling_events("scheduling.referral_times_requested", at_least=1, settle=0)
    assert isinstance(asked, ReferralTimesRequested)
    assert sorted(asked.clinician_ids) == ["t-ca", "t-ca2"]
    outside = h.stub.ProposeReferralTimes(propose(pool.referral_id, WED), metadata=h.therapist("t-tx"))
    assert await refused(outside) == grpc.StatusCode.PERMISSION_DENIED
    assert not (await stored(h, pool.referral_id)).HasField("proposed")
    proposed = await h.stub.ProposeReferralTimes(
        propose(pool.referral_id, WED), metadata=h.therapist("t-ca2")
    )
    assert proposed.proposed.clinician_id == "t-ca2"

    # A referral to a named clinician tells that clinician only.
    named = await refer(h, "o-1", "t-ca")
    await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=named.referral_id, consent=True), metadata=h.officer("o-1")
    )
    told = await h.scheduling_events("scheduling.referral_queued", at_least=2, settle=0)
    assert [(e.referral_id, list(e.clinician_ids)) for e in told if isinstance(e, ReferralQueued)][1] == (
        named.referral_id,
        ["t-ca"],
    )
    # A decline tells nobody.
    declined = await refer(h, "o-1", "t-ca")
    answer = await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=declined.referral_id, consent=False), metadata=h.officer("o-1")
    )
    assert answer.state == R.REFERRAL_STATE_DECLINED
    await h.quiet()  # the decline's events are all on the stream: none of them is a queueing
    assert len(await h.scheduling_events("scheduling.referral_queued", settle=0)) == 2


async def test_a_referral_agreed_to_and_not_booked_expires_after_30_days(harness: Harness) -> None:
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    await h.provider("t-ca", peer_rules("t-ca"))
    await licence(h, "t-ca", "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700))
    await h.set_roster("o-1", cycle=WEEKENDS)
    await lives_in(h, "o-1", "US-CA")
    await h.book("o-1", "p-1", TUE)
    await h.quiet()

    referral = await refer(h, "o-1", "t-ca")
    h.clock.now += timedelta(days=13)  # answered on the last day of the 14
    agreed = await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=referral.referral_id, consent=True), metadata=h.officer("o-1")
    )
    assert agreed.expires_at.ToDatetime(tzinfo=WED.tzinfo) == h.clock.now + timedelta(days=30)
    h.clock.now += timedelta(days=29)  # still open: the officer asks for times, times are proposed
    await h.stub.RequestReferralTimes(
        rpb.RequestReferralTimesRequest(referral_id=referral.referral_id), metadata=h.officer("o-1")
    )
    soon = utc(2026, 4, 16, 15)  # Thursday 16 April, 10:00 CDT: after the referral's 30 days
    await h.stub.ProposeReferralTimes(propose(referral.referral_id, soon), metadata=h.therapist("t-ca"))
    h.clock.now += timedelta(days=1, hours=1)  # past the 30 days, but the proposed time is still open
    assert (await stored(h, referral.referral_id)).state == R.REFERRAL_STATE_CONSENTED
    h.clock.now += timedelta(hours=48)  # the proposal ran out: the referral has expired
    assert (await stored(h, referral.referral_id)).state == R.REFERRAL_STATE_EXPIRED
    assert await listed(h, h.therapist("t-ca")) == []  # off the clinician's queue
    book = rpb.BookReferralRequest(
        referral_id=referral.referral_id, provider_id="t-ca", start=ts(soon + timedelta(days=7))
    )
    assert await refused(h.stub.BookReferral(book, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    ask = rpb.RequestReferralTimesRequest(referral_id=referral.referral_id)
    assert await refused(h.stub.RequestReferralTimes(ask, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    assert (await stored(h, referral.referral_id)).appointment_id == ""


async def test_the_queue_says_when_the_officer_agreed_not_when_the_referral_was_made(
    harness: Harness,
) -> None:
    """A pool referral answered two days after it was made: the clinicians' queue (and the
    officer) carry the day of the answer beside the day it was made; the peer gets neither the
    answer's time nor anything but the state. Nobody in the pool hears of it before that."""
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    await h.provider("t-ca", peer_rules("t-ca"))
    await licence(h, "t-ca", "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700))
    await h.set_roster("o-1", cycle=WEEKENDS)
    await lives_in(h, "o-1", "US-CA")
    await h.book("o-1", "p-1", TUE)
    await h.quiet()

    made_at = h.clock.now
    pool = await refer(h, "o-1")
    assert not pool.HasField("answered_at")
    h.clock.now += timedelta(days=2, hours=3)
    assert await listed(h, h.therapist("t-ca")) == []  # two days on, still nothing before consent
    await h.quiet()  # every event staged so far is on the stream
    assert await h.scheduling_events("scheduling.referral_queued", settle=0) == []
    agreed = await h.stub.AnswerReferral(
        rpb.AnswerReferralRequest(referral_id=pool.referral_id, consent=True), metadata=h.officer("o-1")
    )
    assert agreed.answered_at.ToDatetime(tzinfo=made_at.tzinfo) == h.clock.now
    (queued,) = await listed(h, h.therapist("t-ca"))
    assert queued.created_at.ToDatetime(tzinfo=made_at.tzinfo) == made_at
    assert queued.answered_at.ToDatetime(tzinfo=made_at.tzinfo) == made_at + timedelta(days=2, hours=3)
    (own,) = await listed(h, h.officer("o-1"))
    assert own.answered_at == agreed.answered_at
    (peer_view,) = await listed(h, h.peer("p-1"))
    assert (peer_view.state, peer_view.HasField("answered_at")) == (R.REFERRAL_STATE_CONSENTED, False)
    (told,) = await h.scheduling_events("scheduling.referral_queued", at_least=1, settle=0)
    assert isinstance(told, ReferralQueued)
    assert list(told.clinician_ids) == ["t-ca"]
