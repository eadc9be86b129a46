"""Booked sessions re-checked when an officer changes only their preferences (Monday 2 March 2026,
Chicago): their own usual sleep moved over a session on the spring-forward morning (Sunday 8
March, a 7-hour night) flags it with alternatives and moving it back clears it; moving where
they live to a state their clinician is not licensed in flags every session with that clinician
(alternatives from one licensed there); the sleep check holds on the fall-back night too (1
November, 9 real hours of 00:30-08:30). The jurisdiction given at enrolment becomes the
preference, unless the officer set one since."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2 as identity
from tenfour.scheduling.v1 import scheduling_pb2 as pb

from .conftest import AGENCY, Harness
from .test_conflicts import conflicts, until_conflicts
from .test_licensure import licence, lives_in
from .test_sleep import TZ, local, wall
from .test_training import peer_rules

pytestmark = pytest.mark.integration


def _wall(ts: Timestamp) -> time:
    return ts.ToDatetime(tzinfo=UTC).astimezone(TZ).time()


async def preferences(h: Harness, officer: str, **fields: object) -> pb.Preferences:
    reply: pb.Preferences = await h.stub.SetPreferences(
        pb.SetPreferencesRequest(preferences=pb.Preferences(**fields)), metadata=h.officer(officer)
    )
    return reply


async def test_changing_only_sleep_or_jurisdiction_rechecks_booked_sessions_across_dst(
    harness: Harness,
) -> None:
    h = harness
    for clinician, where in (("t-ca", "US-CA"), ("t-tx", "US-TX")):
        await h.provider(clinician, peer_rules(clinician))  # free 00:00-23:30 every day
        await licence(
            h, clinician, where, h.clock.now - timedelta(days=30), h.clock.now + timedelta(days=700)
        )
    await h.set_roster("o-1", template="5-2")  # day shifts Monday to Friday
    await lives_in(h, "o-1", "US-CA")
    dawn = await h.book("o-1", "t-ca", local(8, 7, 30))  # Sunday 07:30 CDT, just after the DST jump
    noon = await h.book("o-1", "t-ca", local(7, 12))  # Saturday 12:00 CST
    await h.quiet()
    assert await conflicts(h, "o-1") == []

    # Their own sleep, 00:30-08:30: that night is 7 real hours and ends after the 07:30 session.
    assert local(8, 8, 30) - local(8, 0, 30) == timedelta(hours=7)
    await preferences(
        h, "o-1", jurisdiction="US-CA", usual_sleep=pb.HourRange(start=wall(0, 30), end=wall(8, 30))
    )
    (flagged,) = await until_conflicts(h, "o-1", 1)
    assert flagged.appointment.appointment_id == dawn.appointment_id
    assert flagged.reason_code == "usual_sleep"
    assert flagged.alternatives
    slept = [a for a in flagged.alternatives if time(0, 30) <= _wall(a.time.start) < time(8, 30)]
    assert slept == []  # no alternative inside their new sleep
    # Back to the agency's default (23:00-07:00): it fits again and the flag is cleared.
    await preferences(h, "o-1", jurisdiction="US-CA")
    await until_conflicts(h, "o-1", 0)

    # Now living in Texas: t-ca holds no licence there, so both sessions clash; t-tx is offered.
    await preferences(h, "o-1", jurisdiction="US-TX")
    found = await until_conflicts(h, "o-1", 2)
    assert {c.appointment.appointment_id for c in found} == {dawn.appointment_id, noon.appointment_id}
    assert {c.reason_code for c in found} == {"unlicensed"}
    assert {a.provider_id for c in found for a in c.alternatives} == {"t-tx"}
    await preferences(h, "o-1", jurisdiction="US-CA")
    await until_conflicts(h, "o-1", 0)

    # Saving the same sleep and jurisdiction with other preferences changed re-checks nothing.
    events_before = len(await h.scheduling_events("scheduling.officer_preferences_changed", settle=0))
    await preferences(h, "o-1", jurisdiction="US-CA", prefer_days_off=True)
    await h.quiet()
    after = await h.scheduling_events("scheduling.officer_preferences_changed", settle=0)
    assert len(after) == events_before
    assert {(e.officer_id, e.agency_id) for e in after} == {("o-1", AGENCY)}  # never the values


async def test_the_jurisdiction_given_at_enrolment_becomes_the_preference(harness: Harness) -> None:
    h = harness
    await h.publish(
        identity.UserRegistered(
            user_id="o-new", agency_id=AGENCY, role=common.ROLE_OFFICER, jurisdiction="US-CA"
        ),
        "o-new",
    )
    await lives_in(h, "o-set", "US-TX")  # set before the (late) event: theirs stays
    await h.publish(
        identity.UserRegistered(
            user_id="o-set", agency_id=AGENCY, role=common.ROLE_OFFICER, jurisdiction="US-NV"
        ),
        "o-set",
    )
    await h.quiet()
    for officer, where in (("o-new", "US-CA"), ("o-set", "US-TX")):
        stored = await h.stub.GetPreferences(pb.GetPreferencesRequest(), metadata=h.officer(officer))
        assert stored.jurisdiction == where


async def test_a_sleep_change_over_the_fall_back_night_flags_the_session_it_now_covers(
    harness: Harness,
) -> None:
    """Sunday 1 November 2026 in Chicago: the clocks go back, so 00:30-08:30 is 9 real hours;
    a session at 08:00 CST that day falls inside the officer's new sleep and is flagged; giving
    the sleep back clears it."""
    h = harness
    h.clock.now = datetime(2026, 10, 26, 15, tzinfo=UTC)  # Monday, the week before
    await h.provider("t-ca", peer_rules("t-ca"))
    await licence(h, "t-ca", "US-CA", h.clock.now - timedelta(days=30), h.clock.now + timedelta(days=700))
    await h.set_roster("o-1", template="5-2")  # Sundays off
    await lives_in(h, "o-1", "US-CA")
    eight = datetime(2026, 11, 1, 8, tzinfo=TZ).astimezone(UTC)
    session = await h.book("o-1", "t-ca", eight)
    await h.quiet()
    assert await conflicts(h, "o-1") == []

    night_start = datetime(2026, 11, 1, 0, 30, tzinfo=TZ).astimezone(UTC)
    assert datetime(2026, 11, 1, 8, 30, tzinfo=TZ).astimezone(UTC) - night_start == timedelta(hours=9)
    await preferences(
        h, "o-1", jurisdiction="US-CA", usual_sleep=pb.HourRange(start=wall(0, 30), end=wall(8, 30))
    )
    (flagged,) = await until_conflicts(h, "o-1", 1)
    assert flagged.appointment.appointment_id == session.appointment_id
    assert flagged.reason_code == "usual_sleep"
    await preferences(h, "o-1", jurisdiction="US-CA")
    await until_conflicts(h, "o-1", 0)
