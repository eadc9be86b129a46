"""The calendar feed through gRPC: a token per user (only its hash stored), neutral titles,
alarms at the reminder times, the feed public by token, and revocation."""

from __future__ import annotations

import hashlib
from datetime import time

import grpc
import pytest

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.service.calendar_feed import feed_uid

from .conftest import Harness, every_day, rules, utc

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago, a day off; Tuesday is a day shift 07:00-19:00


async def feed(h: Harness, token: str) -> str:
    reply: pb.GetCalendarFeedResponse = await h.stub.GetCalendarFeed(pb.GetCalendarFeedRequest(token=token))
    return reply.ics


async def test_feed_is_neutral_with_alarms_and_revocable(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    booked = await harness.book("o-1", "t-1", WED)

    issued = await harness.stub.GetCalendarFeedToken(
        pb.GetCalendarFeedTokenRequest(), metadata=harness.officer("o-1")
    )
    assert len(issued.token) >= 40
    assert issued.url_path == f"/calendar/{issued.token}.ics"
    stored = [k.decode() for k in await harness.redis.keys("scheduling:feed-*")]
    assert not any(issued.token in k for k in stored)
    assert f"scheduling:feed-token:{{{hashlib.sha256(issued.token.encode()).hexdigest()}}}" in stored

    ics = await feed(harness, issued.token)  # no credentials: the token is the credential
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert booked.appointment_id not in ics
    officer_uid = f"UID:{feed_uid('o-1', booked.appointment_id)}"
    assert officer_uid in ics
    assert "SUMMARY:Appointment\r\n" in ics
    assert "DTSTART:20260304T140000Z" in ics
    for secret in ("t-1", "Dr ", "therapy", "Therapy"):
        assert secret not in ics
    # Reminders 24 h before (moved out of Tuesday's shift to 06:59) and 1 h before.
    assert "TRIGGER;VALUE=DATE-TIME:20260303T045900Z" in ics  # out of shift and sleep: Monday 22:59 Chicago
    assert "TRIGGER;VALUE=DATE-TIME:20260304T130000Z" in ics
    assert ics.count("BEGIN:VALARM") == 2

    therapist = await harness.stub.GetCalendarFeedToken(
        pb.GetCalendarFeedTokenRequest(), metadata=harness.therapist("t-1")
    )
    provider_feed = await feed(harness, therapist.token)
    assert f"UID:{feed_uid('t-1', booked.appointment_id)}" in provider_feed
    assert officer_uid not in provider_feed  # the two copies of one session cannot be matched
    other = await harness.stub.GetCalendarFeedToken(
        pb.GetCalendarFeedTokenRequest(), metadata=harness.officer("o-2")
    )
    assert "VEVENT" not in await feed(harness, other.token)

    # A new token replaces the old one; revoking ends the feed.
    newer = await harness.stub.GetCalendarFeedToken(
        pb.GetCalendarFeedTokenRequest(), metadata=harness.officer("o-1")
    )
    for gone in (issued.token, "x" * 43, "../../etc"):
        with pytest.raises(grpc.RpcError) as err:
            await feed(harness, gone)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert officer_uid in await feed(harness, newer.token)
    await harness.stub.RevokeCalendarFeedToken(
        pb.RevokeCalendarFeedTokenRequest(), metadata=harness.officer("o-1")
    )
    with pytest.raises(grpc.RpcError) as revoked:
        await feed(harness, newer.token)
    assert revoked.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as admin:
        await harness.stub.GetCalendarFeedToken(pb.GetCalendarFeedTokenRequest(), metadata=harness.admin())
    assert admin.value.code() == grpc.StatusCode.PERMISSION_DENIED
