"""A roster conflict reaches the officer live with neutral words and a link to their conflicts
page (other times by day, one tap to move): scheduling's AppointmentConflictDetected."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour_notifications.domain.wording import SENSITIVE_WORDS

from .conftest import Harness

pytestmark = pytest.mark.integration


async def test_a_conflict_notice_is_neutral_and_links_to_the_conflicts_page(harness: Harness) -> None:
    h = harness
    await h.register("officer-1")
    stream = h.stub.Stream(pb.StreamRequest(), metadata=h.md("officer-1"))
    assert (await stream.read()).WhichOneof("event") == "ready"

    start = datetime.now(UTC) + timedelta(days=2)
    event = sev.AppointmentConflictDetected(
        appointment_id="t-1.0123456789abcdef",
        officer_id="officer-1",
        reason="on duty: night shift 19:00-07:00",
        reason_code="on_duty",
        review_path="/conflicts/t-1.0123456789abcdef",
    )
    event.time.start.FromDatetime(start)
    event.time.end.FromDatetime(start + timedelta(minutes=50))
    await h.publish(event, "t-1.0123456789abcdef")

    live = await asyncio.wait_for(stream.read(), 10)
    n = live.notification
    assert (n.kind, n.appointment_id) == ("appointment_conflict", "t-1.0123456789abcdef")
    assert n.link == "/#/conflicts/t-1.0123456789abcdef"
    assert "clashes" in n.body
    assert "soon" not in n.body  # the session's time, from the event, although no booking was seen
    for text in (n.title, n.body):
        assert not any(word in text.lower() for word in SENSITIVE_WORDS)
        assert "night shift" not in text  # scheduling's reason stays in the app, behind sign-in
