"""A reminder, a change and an escalation reach people on every channel they chose, for real:
an SMTP server gets the mail, a push endpoint gets an encrypted message it can decrypt with the
subscription's keys, a webhook receiver gets a signed call, a signed-in stream gets it live."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_notifications.domain.wording import SENSITIVE_WORDS
from tenfour_shared.auth.roles import Role

from .conftest import Harness, appointment
from .receivers import signature_ok

S = AppointmentStatus


async def test_reminder_reaches_the_officer_by_email_push_and_live_stream(harness: Harness) -> None:
    h = harness
    await h.register("officer-1")
    await h.confirmed_email("officer-1", "officer.one@example.org")
    device = await h.device("officer-1", "/push/officer-1")
    stream = h.stub.Stream(pb.StreamRequest(), metadata=h.md("officer-1"))
    first = await stream.read()
    assert first.WhichOneof("event") == "ready"

    start = datetime.now(UTC) + timedelta(hours=1)
    await h.publish(
        sev.AppointmentStatusChanged(
            appointment=appointment("appt-1", "officer-1", start), reason_code="booked"
        ),
        "appt-1",
    )
    reminder = sev.ReminderDue(appointment_id="appt-1", user_id="officer-1")
    reminder.start.FromDatetime(start)
    await h.publish(reminder, "appt-1")

    live = await asyncio.wait_for(stream.read(), 10)
    assert live.notification.kind == "reminder"
    assert live.notification.appointment_id == "appt-1"
    mails = await h.mailbox.wait_for(2)  # the confirmation, then the reminder
    mail = mails[1]
    assert mail["To"] == "officer.one@example.org"
    assert mail["Subject"] == "Tenfour: reminder"
    text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "http://tenfour.test/#/appointments" in text
    pushed = await h.http.wait_for("/push/officer-1")
    message = device.decrypt(pushed[0].body)
    assert message["title"] == "Tenfour: reminder"
    assert message["appointment_id"] == "appt-1"
    assert pushed[0].headers["Urgency"] == "normal"
    assert pushed[0].headers["Authorization"].startswith("vapid t=")
    assert 0 < int(pushed[0].headers["TTL"]) <= 3600
    for text_seen in (mail["Subject"], text, message["title"], message["body"]):
        assert not any(word in text_seen.lower() for word in SENSITIVE_WORDS)

    email = await h.wait_delivery("officer-1", pb.CHANNEL_EMAIL, pb.DELIVERY_STATUS_DELIVERED)
    # "reminder sent by email at 09:00" on the session page: the log, filtered by appointment.
    log = await h.deliveries("officer-1", appointment_id="appt-1")
    assert {(d.kind, d.channel) for d in log} >= {
        ("reminder", pb.CHANNEL_EMAIL),
        ("reminder", pb.CHANNEL_IN_APP),
    }
    assert email.delivered_at.ToDatetime(tzinfo=UTC) <= datetime.now(UTC)
    stream.cancel()


async def test_an_unconfirmed_address_gets_nothing_but_its_confirmation(harness: Harness) -> None:
    h = harness
    await h.register("officer-2")
    await h.stub.SetEmailAddress(
        pb.SetEmailAddressRequest(address="two@example.org"), metadata=h.md("officer-2")
    )
    await h.mailbox.wait_for(1)
    reminder = sev.ReminderDue(appointment_id="appt-2", user_id="officer-2")
    reminder.start.FromDatetime(datetime.now(UTC) + timedelta(hours=2))
    await h.publish(reminder, "appt-2")
    skipped = await h.wait_delivery("officer-2", pb.CHANNEL_EMAIL, pb.DELIVERY_STATUS_SKIPPED)
    assert skipped.reason_code == "no_confirmed_address"
    assert len(h.mailbox.messages) == 1
    settings = await h.stub.GetSettings(pb.GetSettingsRequest(), metadata=h.md("officer-2"))
    assert settings.email.address == "two@example.org"
    assert not settings.email.confirmed


async def test_bad_addresses_and_subscriptions_are_refused_naming_the_field(harness: Harness) -> None:
    h = harness
    with pytest.raises(grpc.RpcError) as bad_mail:
        await h.stub.SetEmailAddress(pb.SetEmailAddressRequest(address="not-an-address"), metadata=h.md("o"))
    assert bad_mail.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    request = pb.RegisterPushSubscriptionRequest(endpoint="ftp://x", p256dh="abc", auth="zz")
    with pytest.raises(grpc.RpcError) as bad_push:
        await h.stub.RegisterPushSubscription(request, metadata=h.md("o"))
    assert bad_push.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as bad_token:
        await h.stub.ConfirmEmailAddress(pb.ConfirmEmailAddressRequest(token="nope"))
    assert bad_token.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as unsigned:
        await h.stub.GetSettings(pb.GetSettingsRequest())
    assert unsigned.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as officer_hook:
        await h.stub.SetAgencyWebhook(pb.SetAgencyWebhookRequest(url="https://x.test"), metadata=h.md("o"))
    assert officer_hook.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as no_mailbox:
        await h.stub.ListDevMailbox(pb.ListDevMailboxRequest(), metadata=h.md("o"))
    assert no_mailbox.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_gone_subscription_is_removed(harness: Harness) -> None:
    h = harness
    await h.register("officer-3")
    await h.device("officer-3", "/push/gone")
    h.http.statuses["/push/gone"] = [410]
    reminder = sev.ReminderDue(appointment_id="appt-3", user_id="officer-3")
    reminder.start.FromDatetime(datetime.now(UTC) + timedelta(hours=2))
    await h.publish(reminder, "appt-3")
    failed = await h.wait_delivery("officer-3", pb.CHANNEL_WEB_PUSH, pb.DELIVERY_STATUS_FAILED)
    assert failed.reason_code == "subscription_gone"
    settings = await h.stub.GetSettings(pb.GetSettingsRequest(), metadata=h.md("officer-3"))
    assert list(settings.devices) == []


async def test_a_failing_push_endpoint_is_retried_until_it_takes_the_message(harness: Harness) -> None:
    h = harness
    await h.register("officer-4")
    device = await h.device("officer-4", "/push/flaky")
    h.http.statuses["/push/flaky"] = [500, 503]
    reminder = sev.ReminderDue(appointment_id="appt-4", user_id="officer-4")
    reminder.start.FromDatetime(datetime.now(UTC) + timedelta(hours=2))
    await h.publish(reminder, "appt-4")
    delivered = await h.wait_delivery("officer-4", pb.CHANNEL_WEB_PUSH, pb.DELIVERY_STATUS_DELIVERED)
    assert delivered.attempts == 3
    assert device.decrypt(h.http.at("/push/flaky")[0].body)["kind"] == "reminder"


async def test_escalation_calls_the_agency_webhook_signed_and_tells_the_coordinator(harness: Harness) -> None:
    h = harness
    await h.register("coordinator-1", Role.AGENCY_ADMIN)
    admin = h.md("coordinator-1", Role.AGENCY_ADMIN)
    hook = await h.stub.SetAgencyWebhook(pb.SetAgencyWebhookRequest(url=h.http.url("/hook")), metadata=admin)
    assert len(hook.secret) >= 32
    assert hook.secret_hint == hook.secret[-4:]
    read_back = await h.stub.GetAgencyWebhook(pb.GetAgencyWebhookRequest(), metadata=admin)
    assert read_back.url == h.http.url("/hook")
    assert read_back.secret == ""
    h.http.statuses["/hook"] = [503]  # the paging system hiccups once
    await h.settle()
    escalation = sev.UrgentEscalation(
        request_id="req-1", agency_id="agency-1", crisis_line_text="Call 988", officer_id="officer-5"
    )
    event_id = await h.publish(escalation, "req-1")
    calls = await h.http.wait_for("/hook")
    assert len(calls) == 1
    assert signature_ok(hook.secret, calls[0])
    body = json.loads(calls[0].body)
    assert body["type"] == "urgent_escalation"
    assert body["request_id"] == "req-1"
    assert "officer-5" not in calls[0].body.decode()
    assert calls[0].headers["X-Tenfour-Delivery"] == body["delivery_id"]
    inbox = await h.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=admin)
    assert [n.kind for n in inbox.notifications] == ["urgent_escalated"]
    assert inbox.notifications[0].urgent
    officer_inbox = await h.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=h.md("officer-5"))
    assert "Call 988" in officer_inbox.notifications[0].body
    # The same event again (a redelivery): nothing is sent twice.
    await h.publish(escalation, "req-1", event_id=event_id + "-again")
    env = Envelope()
    assert env is not None
    await h.settle()
    await asyncio.sleep(0.3)  # the dispatcher's queue is polled every 20 ms
    assert len(h.http.at("/hook")) == 2  # a distinct event id is a distinct escalation
