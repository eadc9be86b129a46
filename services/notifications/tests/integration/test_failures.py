"""Receivers that fail and events that are broken: retried until delivered, never lost, never
blocking what comes after."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour_shared.events.streams import DEAD_LETTER_STREAM

from .conftest import Harness


async def test_smtp_refusing_for_a_while_is_retried_then_delivered(harness: Harness) -> None:
    h = harness
    await h.register("officer-6")
    await h.confirmed_email("officer-6", "six@example.org")
    h.mailbox.fail_next = 3  # "451 try again later" three times
    reminder = sev.ReminderDue(appointment_id="appt-6", user_id="officer-6")
    reminder.start.FromDatetime(datetime.now(UTC) + timedelta(hours=3))
    await h.publish(reminder, "appt-6")
    mails = await h.mailbox.wait_for(2)
    for _ in range(100):  # the outcome is written right after the server's 250
        (delivered,) = [
            d
            for d in await h.deliveries("officer-6", appointment_id="appt-6")
            if d.channel == pb.CHANNEL_EMAIL
        ]
        if delivered.status == pb.DELIVERY_STATUS_DELIVERED:
            break
        await asyncio.sleep(0.05)
    assert (delivered.status, delivered.attempts) == (pb.DELIVERY_STATUS_DELIVERED, 4)
    assert [m["Subject"] for m in mails] == ["Tenfour: confirm your email address", "Tenfour: reminder"]


async def test_a_malformed_event_is_dead_lettered_and_the_next_one_still_arrives(harness: Harness) -> None:
    h = harness
    await h.register("officer-7")
    # Bytes that are no envelope at all, then an event whose user id is not an id.
    await h.js.publish("scheduling.reminder_due", b"\x00not-an-envelope", headers={"Nats-Msg-Id": "junk-1"})
    broken = sev.ReminderDue(appointment_id="appt-7", user_id="has spaces {and braces}")
    await h.publish(broken, "appt-7")
    good = sev.ReminderDue(appointment_id="appt-8", user_id="officer-7")
    good.start.FromDatetime(datetime.now(UTC) + timedelta(hours=3))
    await h.publish(good, "appt-8")
    stream = await h.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=h.md("officer-7"))
    for _ in range(200):
        if stream.notifications:
            break
        await asyncio.sleep(0.05)
        stream = await h.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=h.md("officer-7"))
    assert [n.appointment_id for n in stream.notifications] == ["appt-8"]
    for _ in range(200):
        info = await h.js.stream_info(DEAD_LETTER_STREAM)
        if info.state.messages >= 2:
            break
        await asyncio.sleep(0.05)
    sub = await h.js.subscribe("deadletter.notifications.>", ordered_consumer=True)
    reasons = []
    for _ in range(2):
        msg = await sub.next_msg(timeout=5)
        reasons.append(msg.headers.get("Tenfour-Reason", "") if msg.headers else "")
    await sub.unsubscribe()
    assert any("malformed user id" in r for r in reasons), reasons
