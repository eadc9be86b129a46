"""Across services, for real: the reminder scheduling computes around the officer's shift is
mailed by notifications to a real SMTP server (aiosmtpd) at exactly that time (one injected
clock for both), to the address the officer confirmed through the link."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, time
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from grpc import aio

from tenfour.notifications.v1 import notifications_pb2 as npb
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour_notifications.bootstrap import running as notifications_running
from tenfour_notifications.config import Settings as NotificationSettings
from tenfour_shared.auth.roles import Role
from tenfour_testing.embedded import NatsServer, RedisServer, free_port

from .conftest import Harness, every_day, rules, utc
from .test_reminders import until_scheduled

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago; Tuesday is a day shift 07:00-19:00
MONDAY_2259 = utc(2026, 3, 3, 4, 59)  # Monday 22:59 Chicago


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"

    async def wait_for(self, count: int) -> list[Message]:
        for _ in range(400):
            if len(self.mails) >= count:
                return self.mails
            await asyncio.sleep(0.025)
        raise AssertionError(f"{len(self.mails)} of {count} mails arrived")


@pytest.fixture
async def mail() -> AsyncIterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def test_the_reminder_is_mailed_when_scheduling_computed_it(
    harness: Harness, nats_server: NatsServer, redis_server: RedisServer, mail: tuple[Inbox, int]
) -> None:
    inbox, smtp_port = mail
    settings = NotificationSettings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        jwks_json=harness.tokens.jwks_json,
        log_level="WARNING",
        notifications_encryption_key="ef" * 32,
        notifications_smtp_port=smtp_port,
        notifications_poll_seconds=0.02,
    )
    async with (
        notifications_running(settings, harness.clock) as runtime,
        aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
    ):
        stub = notifications_pb2_grpc.NotificationServiceStub(channel)
        officer = harness.tokens.metadata(Role.OFFICER, "o-1", "agency-1")
        await stub.SetEmailAddress(npb.SetEmailAddressRequest(address="o1@example.org"), metadata=officer)
        (confirmation,) = await inbox.wait_for(1)
        body = confirmation.get_payload(decode=True).decode()  # type: ignore[union-attr]
        token = re.search(r"confirm-email\?token=([A-Za-z0-9_-]+)", body)
        assert token is not None
        await stub.ConfirmEmailAddress(npb.ConfirmEmailAddressRequest(token=token.group(1)))

        await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
        await harness.set_roster("o-1")
        booked = await harness.book("o-1", "t-1", WED)
        await until_scheduled(harness, 2)  # the booked event is consumed and the reminders scheduled
        assert len(inbox.mails) == 1  # nothing before its time
        # 24 h before falls in Tuesday's shift and then the usual sleep before it: Monday 22:59.
        harness.clock.now = MONDAY_2259
        mails = await inbox.wait_for(2)
        assert mails[1]["To"] == "o1@example.org"
        assert mails[1]["Subject"] == "Tenfour: reminder"
        for _ in range(100):
            log = await stub.ListDeliveries(
                npb.ListDeliveriesRequest(appointment_id=booked.appointment_id), metadata=officer
            )
            sent = [d for d in log.deliveries if d.channel == npb.CHANNEL_EMAIL]
            if sent and sent[0].status == npb.DELIVERY_STATUS_DELIVERED:
                break
            await asyncio.sleep(0.05)
        assert sent[0].delivered_at.ToDatetime(tzinfo=UTC) == MONDAY_2259
