"""The notifications service in-process on real nats-server and redis-server, with a real SMTP
server, push endpoint and webhook receiver; fed events the way their producers publish them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from google.protobuf.message import Message
from grpc import aio
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_notifications.bootstrap import running
from tenfour_notifications.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

from .receivers import HttpReceiver, Mailbox, PushSubscription, http_receiver, smtp_server

_ROLES = {
    Role.OFFICER: common_pb2.ROLE_OFFICER,
    Role.THERAPIST: common_pb2.ROLE_THERAPIST,
    Role.PEER_SUPPORTER: common_pb2.ROLE_PEER_SUPPORTER,
    Role.AGENCY_ADMIN: common_pb2.ROLE_AGENCY_ADMIN,
}


@dataclass
class Harness:
    stub: notifications_pb2_grpc.NotificationServiceStub
    tokens: TestTokens
    js: JetStreamContext
    nc: Client
    redis: aioredis.Redis
    mailbox: Mailbox
    http: HttpReceiver
    settings: Settings

    async def publish(self, payload: Message, subject: str, event_id: str = "") -> str:
        env = build(payload, subject=subject, when=datetime.now(UTC), event_id=event_id)
        await publish_event(self.js, env)
        return env.id

    def md(self, user: str, role: Role = Role.OFFICER, agency: str = "agency-1") -> tuple[tuple[str, str]]:
        return self.tokens.metadata(role, user, agency)

    async def register(self, user: str, role: Role = Role.OFFICER, agency: str = "agency-1") -> None:
        await self.publish(UserRegistered(user_id=user, agency_id=agency, role=_ROLES[role]), user)

    async def settle(self) -> None:
        """Wait until every consumer took everything published so far."""
        for _ in range(500):
            busy = False
            for source in ("identity", "scheduling", "signaling"):
                try:
                    info = await self.js.consumer_info(
                        f"TENFOUR_{source.upper()}", f"notifications-from-{source}"
                    )
                except Exception:
                    busy = True
                    continue
                if info.num_pending or info.num_ack_pending:
                    busy = True
            if not busy:
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("notifications did not consume the published events")

    async def confirmed_email(self, user: str, address: str, role: Role = Role.OFFICER) -> None:
        """Set an address and confirm it with the link from the mail, as its owner would."""
        before = len(self.mailbox.messages)
        await self.stub.SetEmailAddress(
            pb.SetEmailAddressRequest(address=address), metadata=self.md(user, role)
        )
        mails = await self.mailbox.wait_for(before + 1)
        text = mails[before].get_payload(decode=True).decode()  # type: ignore[union-attr]
        token = re.search(r"confirm-email\?token=([A-Za-z0-9_-]+)", text)
        assert token is not None, text
        await self.stub.ConfirmEmailAddress(pb.ConfirmEmailAddressRequest(token=token.group(1)))

    async def device(self, user: str, path: str, role: Role = Role.OFFICER) -> PushSubscription:
        sub = PushSubscription(self.http.url(path))
        request = pb.RegisterPushSubscriptionRequest(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth)
        await self.stub.RegisterPushSubscription(request, metadata=self.md(user, role))
        return sub

    async def deliveries(self, user: str, role: Role = Role.OFFICER, **filters: str) -> list[pb.Delivery]:
        reply = await self.stub.ListDeliveries(
            pb.ListDeliveriesRequest(**filters), metadata=self.md(user, role)
        )
        return list(reply.deliveries)

    async def wait_delivery(
        self, user: str, channel: int, status: int, role: Role = Role.OFFICER, within: float = 15.0
    ) -> pb.Delivery:
        for _ in range(int(within / 0.05)):
            for d in await self.deliveries(user, role):
                if d.channel == channel and d.status == status:
                    return d
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no delivery on channel {channel} with status {status}")


def appointment(
    appointment_id: str,
    officer: str,
    start: datetime,
    provider: str = "therapist-1",
    status: int = AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
    version: int = 1,
) -> Appointment:
    out = Appointment(
        appointment_id=appointment_id,
        agency_id="agency-1",
        provider_id=provider,
        officer_ids=[officer],
        session_type=common_pb2.SESSION_TYPE_INDIVIDUAL,
        status=status,  # type: ignore[arg-type]
        capacity=1,
        version=version,
    )
    out.time.start.FromDatetime(start)
    out.time.end.FromDatetime(start + timedelta(minutes=50))
    return out


def settings_for(nats_url: str, redis_url: str, smtp_port: int, jwks: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "port": 0,
        "nats_url": nats_url,
        "redis_url": redis_url,
        "instance_id": "test-notifications",
        "jwks_json": jwks,
        "retry_base_seconds": 0.01,
        "max_deliveries": 3,
        "log_level": "WARNING",
        "notifications_encryption_key": "k" * 64,
        "notifications_smtp_port": smtp_port,
        "notifications_allow_insecure_push": True,
        "notifications_allow_insecure_webhook": True,
        "notifications_backoff_base_seconds": 0.05,
        "notifications_backoff_max_seconds": 0.5,
        "notifications_poll_seconds": 0.02,
        "notifications_lease_seconds": 5.0,
        "notifications_public_base_url": "http://tenfour.test",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def harness(
    nats_server: NatsServer,
    redis_server: RedisServer,
    redis_client: aioredis.Redis,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
) -> AsyncIterator[Harness]:
    await ensure_streams(nats_js[1])
    async with smtp_server() as (mailbox, smtp_port), http_receiver() as http:
        settings = settings_for(nats_server.url, redis_server.url, smtp_port, test_tokens.jwks_json)
        async with (
            running(settings) as runtime,
            aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
        ):
            yield Harness(
                notifications_pb2_grpc.NotificationServiceStub(channel),
                test_tokens,
                nats_js[1],
                nats_js[0],
                redis_client,
                mailbox,
                http,
                settings,
            )
