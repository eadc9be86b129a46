"""Issue 19's notices delivered for real (SMTP server, live stream), in neutral words: a licence
expiring within 30 days reaches the clinician and the coordinators of every agency they serve by
mail; a referral
agreed to reaches each clinician of the pool scheduling lists (and nobody else); a freed time held
from a waiting list reaches the officer it is held for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_notifications.domain.wording import SENSITIVE_WORDS
from tenfour_shared.auth.roles import Role

from .conftest import Harness, appointment

pytestmark = pytest.mark.integration


def _neutral(*texts: str) -> None:
    for text in texts:
        assert not any(word in text.lower() for word in SENSITIVE_WORDS), text


async def test_an_expiring_licence_is_mailed_to_the_clinician_and_the_coordinator(harness: Harness) -> None:
    h = harness
    await h.register("clin-1", role=Role.THERAPIST)
    await h.register("coord-1", role=Role.AGENCY_ADMIN)
    await h.register("coord-2", role=Role.AGENCY_ADMIN, agency="agency-2")  # the clinician serves both
    await h.register("coord-3", role=Role.AGENCY_ADMIN, agency="agency-3")  # not theirs: not told
    await h.register("officer-9")  # an officer of the agency is not told
    await h.confirmed_email("clin-1", "clin@example.org", role=Role.THERAPIST)
    for n in (1, 2, 3):
        await h.confirmed_email(f"coord-{n}", f"coord{n}@example.org", role=Role.AGENCY_ADMIN)
    await h.confirmed_email("officer-9", "officer9@example.org")
    before = len(h.mailbox.messages)

    expires = datetime.now(UTC) + timedelta(days=30)
    warning = sev.LicenceExpiring(
        clinician_id="clin-1", agency_id="agency-1", jurisdiction="US-CA", other_agency_ids=["agency-2"]
    )
    warning.expires_at.FromDatetime(expires)
    await h.publish(warning, "clin-1")

    mails = (await h.mailbox.wait_for(before + 3))[before:]
    by_address = {m["To"]: m for m in mails}
    assert set(by_address) == {"clin@example.org", "coord1@example.org", "coord2@example.org"}
    for mail in mails:
        assert mail["Subject"] == "Tenfour: licence renewal"
    clinician = by_address["clin@example.org"].get_payload(decode=True).decode()  # type: ignore[union-attr]
    coordinator = by_address["coord1@example.org"].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "A licence on your profile expires" in clinician
    assert "http://tenfour.test/#/my-licences" in clinician
    assert "A team member's licence expires" in coordinator
    assert "clin-1" not in coordinator
    assert "US-CA" not in coordinator
    _neutral(clinician, coordinator)
    for user, role in (("clin-1", Role.THERAPIST), ("coord-1", Role.AGENCY_ADMIN)):
        await h.wait_delivery(user, pb.CHANNEL_EMAIL, pb.DELIVERY_STATUS_DELIVERED, role=role)
    await h.settle()
    assert len(h.mailbox.messages) == before + 3  # the officer and the other agency's admin got nothing


async def test_a_referral_agreed_to_reaches_every_clinician_of_the_pool_listed(harness: Harness) -> None:
    h = harness
    streams = {}
    for clinician in ("clin-a", "clin-b", "clin-out"):
        await h.register(clinician, role=Role.THERAPIST)
        streams[clinician] = h.stub.Stream(pb.StreamRequest(), metadata=h.md(clinician, role=Role.THERAPIST))
        assert (await streams[clinician].read()).WhichOneof("event") == "ready"

    await h.publish(
        sev.ReferralQueued(agency_id="agency-1", referral_id="r0123", clinician_ids=["clin-a", "clin-b"]),
        "r0123",
    )
    for clinician in ("clin-a", "clin-b"):
        n = (await asyncio.wait_for(streams[clinician].read(), 10)).notification
        assert (n.kind, n.link) == ("referral_queued", "/#/referred")
        assert n.title == "Tenfour: a new referral"
        _neutral(n.title, n.body)
    await h.settle()
    listed = await h.stub.ListNotifications(
        pb.ListNotificationsRequest(), metadata=h.md("clin-out", role=Role.THERAPIST)
    )
    assert [n.kind for n in listed.notifications] == []  # not in the pool: not told
    for stream in streams.values():
        stream.cancel()


async def test_a_time_held_from_the_waiting_list_reaches_the_officer(harness: Harness) -> None:
    h = harness
    await h.register("officer-w")
    await h.confirmed_email("officer-w", "waiting@example.org")
    before = len(h.mailbox.messages)
    start = datetime.now(UTC) + timedelta(days=2)
    held = appointment("t-1.held", "officer-w", start, status=AppointmentStatus.APPOINTMENT_STATUS_WAITLIST)
    await h.publish(
        sev.AppointmentStatusChanged(appointment=held, reason_code="waitlist_offered"), "t-1.held"
    )

    (mail,) = (await h.mailbox.wait_for(before + 1))[before:]
    assert (mail["To"], mail["Subject"]) == ("waiting@example.org", "Tenfour: a time is free")
    text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "held for you for 15 minutes" in text
    assert "http://tenfour.test/#/waitlist" in text
    _neutral(text)
