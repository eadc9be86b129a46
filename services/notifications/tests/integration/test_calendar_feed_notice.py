"""A provider whose busy-calendar subscription was paused (availability's event) is told, live,
with a link to the page where the subscription and its last error are."""

from __future__ import annotations

import asyncio

import pytest

from tenfour.events.v1.availability_events_pb2 import BusyCalendarFeedPaused
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour_shared.auth.roles import Role

from .conftest import Harness

pytestmark = pytest.mark.integration


async def test_a_paused_calendar_feed_reaches_its_provider(harness: Harness) -> None:
    h = harness
    await h.register("therapist-1", role=Role.THERAPIST)
    stream = h.stub.Stream(pb.StreamRequest(), metadata=h.md("therapist-1", role=Role.THERAPIST))
    assert (await stream.read()).WhichOneof("event") == "ready"

    await h.publish(
        BusyCalendarFeedPaused(provider_id="therapist-1", consecutive_failures=5, last_error_code="timeout"),
        "therapist-1",
    )

    n = (await asyncio.wait_for(stream.read(), 10)).notification
    assert (n.kind, n.link) == ("calendar_feed_paused", "/#/import")
    assert "calendar link" in n.body
