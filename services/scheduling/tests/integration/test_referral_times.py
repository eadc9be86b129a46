"""The officer asks the clinician to propose times (Monday 2 March 2026, Chicago): on a referral
they agreed to, the officer asks (with a note); the referred clinician proposes times, each checked
like a booking; the officer picks one and it is booked. A time taken meanwhile is refused and the
others stay; two picks at once book one; proposals run out. Proposals by a clinician who was not
referred, picks by someone else, times in the past or in the officer's sleep are refused, and
nothing stored changes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import ReferralTimesProposed, ReferralTimesRequested
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour_shared.auth.roles import Role

from .conftest import Harness, utc
from .test_licensure import WED, licence, lives_in
from .test_referrals import listed, refer, refused
from .test_training import TUE, WEEKENDS, peer_rules, ts

pytestmark = pytest.mark.integration
R = rpb.ReferralState
THU = utc(2026, 3, 5, 16)  # Thursday 5 March, 10:00 CST
FRI = utc(2026, 3, 6, 16)
ASLEEP = utc(2026, 3, 5, 8)  # Thursday 02:00 CST: the officer's usual sleep
SATURDAY = utc(2026, 3, 7, 16)  # on a day shift


def propose(referral_id: str, *starts: datetime) -> rpb.ProposeReferralTimesRequest:
    return rpb.ProposeReferralTimesRequest(referral_id=referral_id, starts=[ts(s) for s in starts])


def pick(referral_id: str, start: datetime) -> rpb.PickReferralTimeRequest:
    return rpb.PickReferralTimeRequest(referral_id=referral_id, start=ts(start))


async def agreed_referral(h: Harness) -> rpb.Referral:
    referral = await refer(h, "o-1", "t-ca")
    answer = rpb.AnswerReferralRequest(referral_id=referral.referral_id, consent=True)
    await h.stub.AnswerReferral(answer, metadata=h.officer("o-1"))
    return referral


async def stored(h: Harness, referral_id: str) -> rpb.Referral:
    return next(r for r in await listed(h, h.officer("o-1")) if r.referral_id == referral_id)


async def test_the_clinician_proposes_times_and_the_officer_picks_one(harness: Harness) -> None:
    h = harness
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    for clinician in ("t-ca", "t-other"):
        await h.provider(clinician, peer_rules(clinician))
        await licence(
            h, clinician, "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700)
        )
    for officer in ("o-1", "o-2"):
        await h.set_roster(officer, cycle=WEEKENDS)
        await lives_in(h, officer, "US-CA")
    await h.book("o-1", "p-1", TUE)  # the peer supports o-1
    await h.quiet()
    referral = await agreed_referral(h)
    rid = referral.referral_id

    # Before the officer asks, nobody proposes; only the referred officer asks.
    assert await refused(h.stub.ProposeReferralTimes(propose(rid, WED), metadata=h.therapist("t-ca"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    ask = rpb.RequestReferralTimesRequest(referral_id=rid, note="Weekday mornings suit me")
    assert await refused(h.stub.RequestReferralTimes(ask, metadata=h.officer("o-2"))) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    asked = await h.stub.RequestReferralTimes(ask, metadata=h.officer("o-1"))
    assert (asked.times_note, asked.HasField("times_requested_at")) == ("Weekday mornings suit me", True)
    (told,) = await h.scheduling_events("scheduling.referral_times_requested", at_least=1, settle=0)
    assert isinstance(told, ReferralTimesRequested)
    assert list(told.clinician_ids) == ["t-ca"]
    assert b"Weekday" not in told.SerializeToString()  # the note stays out of events
    (queued,) = await listed(h, h.therapist("t-ca"))
    assert queued.times_note == "Weekday mornings suit me"
    (peer_view,) = await listed(h, h.peer("p-1"))
    assert (peer_view.times_note, peer_view.HasField("times_requested_at")) == ("", False)

    # Bad proposals are refused and nothing is stored.
    bad = {
        "t-other": (propose(rid, WED), grpc.StatusCode.PERMISSION_DENIED),  # not referred
        "past": (propose(rid, h.clock.now - timedelta(hours=1)), grpc.StatusCode.INVALID_ARGUMENT),
        "four": (propose(rid, WED, THU, FRI, FRI + timedelta(days=4)), grpc.StatusCode.INVALID_ARGUMENT),
        "asleep": (propose(rid, WED, ASLEEP), grpc.StatusCode.FAILED_PRECONDITION),
        "on duty": (propose(rid, SATURDAY), grpc.StatusCode.FAILED_PRECONDITION),
    }
    for who, (request, status) in bad.items():
        clinician = "t-other" if who == "t-other" else "t-ca"
        assert (
            await refused(h.stub.ProposeReferralTimes(request, metadata=h.therapist(clinician))) == status
        ), who
    assert not (await stored(h, rid)).HasField("proposed")

    proposed = await h.stub.ProposeReferralTimes(propose(rid, WED, THU, FRI), metadata=h.therapist("t-ca"))
    assert [t.start.ToDatetime(tzinfo=WED.tzinfo) for t in proposed.proposed.times] == [WED, THU, FRI]
    assert proposed.proposed.expires_at.ToDatetime(tzinfo=WED.tzinfo) == h.clock.now + timedelta(hours=48)
    (offered,) = await h.scheduling_events("scheduling.referral_times_proposed", at_least=1, settle=0)
    assert isinstance(offered, ReferralTimesProposed)
    assert (offered.officer_id, offered.referral_id) == ("o-1", rid)

    # Someone else's pick, a time not proposed: refused. A time taken meanwhile: refused, the others stay.
    assert await refused(h.stub.PickReferralTime(pick(rid, THU), metadata=h.officer("o-2"))) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    not_offered = pick(rid, THU + timedelta(hours=1))
    assert await refused(h.stub.PickReferralTime(not_offered, metadata=h.officer("o-1"))) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    await h.book("o-2", "t-ca", WED)
    assert await refused(h.stub.PickReferralTime(pick(rid, WED), metadata=h.officer("o-1"))) == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    still = await stored(h, rid)
    assert (still.state, len(still.proposed.times)) == (R.REFERRAL_STATE_CONSENTED, 3)
    done = await h.stub.PickReferralTime(pick(rid, THU), metadata=h.officer("o-1"))
    assert (done.referral.state, done.appointment.provider_id) == (R.REFERRAL_STATE_BOOKED, "t-ca")
    assert done.appointment.from_referral
    assert done.appointment.time.start.ToDatetime(tzinfo=THU.tzinfo) == THU
    assert (await stored(h, rid)).times_note == ""  # the note is not kept once booked

    # Two picks at once of different times: one booking.
    second = await agreed_referral(h)
    await h.stub.RequestReferralTimes(
        rpb.RequestReferralTimesRequest(referral_id=second.referral_id), metadata=h.officer("o-1")
    )
    later = (utc(2026, 3, 11, 16), utc(2026, 3, 12, 16))
    await h.stub.ProposeReferralTimes(propose(second.referral_id, *later), metadata=h.therapist("t-ca"))
    results = await asyncio.gather(
        *(h.stub.PickReferralTime(pick(second.referral_id, s), metadata=h.officer("o-1")) for s in later),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, rpb.BookReferralResponse)]
    losers = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED)
    assert (await stored(h, second.referral_id)).appointment_id == winners[0].appointment.appointment_id

    # Proposals run out after 48 hours: picking is refused, asking again works.
    third = await agreed_referral(h)
    ask3 = rpb.RequestReferralTimesRequest(referral_id=third.referral_id)
    await h.stub.RequestReferralTimes(ask3, metadata=h.officer("o-1"))
    last = utc(2026, 3, 13, 16)
    await h.stub.ProposeReferralTimes(propose(third.referral_id, last), metadata=h.therapist("t-ca"))
    h.clock.now += timedelta(hours=49)
    assert await refused(
        h.stub.PickReferralTime(pick(third.referral_id, last), metadata=h.officer("o-1"))
    ) == (grpc.StatusCode.FAILED_PRECONDITION)
    again = await h.stub.RequestReferralTimes(ask3, metadata=h.officer("o-1"))
    assert not again.HasField("proposed")
