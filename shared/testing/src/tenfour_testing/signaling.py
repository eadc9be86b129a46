"""Support for tests, benchmarks and demos: a real coturn, and booking events as scheduling sends them.

Not used by the service itself.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import grpc
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.common.v1.common_pb2 import SessionType, TimeRange
from tenfour.events.v1.scheduling_events_pb2 import AppointmentRescheduled, AppointmentStatusChanged
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build, parse
from tenfour_signaling.bootstrap import serve
from tenfour_signaling.config import Settings
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens

if TYPE_CHECKING:
    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceAsyncStub

__all__ = [
    "Cluster",
    "Instance",
    "appointment",
    "publish_rescheduled",
    "publish_status",
    "settings_for",
    "start_instance",
]


def appointment(
    appointment_id: str,
    provider_id: str,
    officer_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    status: AppointmentStatus.ValueType = AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
    agency_id: str = "agency-1",
    urgent: bool = False,
) -> Appointment:
    time_range = TimeRange()
    time_range.start.FromDatetime(start)
    time_range.end.FromDatetime(end)
    return Appointment(
        appointment_id=appointment_id,
        agency_id=agency_id,
        provider_id=provider_id,
        officer_ids=list(officer_ids),
        session_type=SessionType.SESSION_TYPE_GROUP
        if len(officer_ids) > 1
        else SessionType.SESSION_TYPE_INDIVIDUAL,
        time=time_range,
        status=status,
        urgent=urgent,
        capacity=len(officer_ids),
    )


async def publish_status(js: JetStreamContext, appt: Appointment) -> None:
    """What scheduling publishes (through its outbox) when an appointment's status changes."""
    env = build(AppointmentStatusChanged(appointment=appt), subject=appt.appointment_id)
    await publish_event(js, env)


async def publish_rescheduled(js: JetStreamContext, appt: Appointment, previous: TimeRange) -> None:
    env = build(AppointmentRescheduled(appointment=appt, previous_time=previous), subject=appt.appointment_id)
    await publish_event(js, env)


# --- in-process instances ------------------------------------------------------------------

SERVICE_NAME = "tenfour.signaling.v1.SignalingService"
_ids = itertools.count(1)


@dataclass
class Instance:
    settings: Settings
    task: asyncio.Task[None]
    channel: aio.Channel

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.settings.port}"

    @property
    def stub(self) -> SignalingServiceAsyncStub:
        return SignalingServiceStub(self.channel)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.channel.close()


async def start_instance(settings: Settings) -> Instance:
    task = asyncio.create_task(serve(settings))
    channel = aio.insecure_channel(f"127.0.0.1:{settings.port}")
    health = health_pb2_grpc.HealthStub(channel)
    for _ in range(300):
        if task.done():
            task.result()  # start-up failed: raise its error
        try:
            reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=1)
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                return Instance(settings, task, channel)
        except grpc.RpcError:
            pass
        await asyncio.sleep(0.05)
    raise TimeoutError("signaling did not become SERVING")


def settings_for(
    nats_server: NatsServer, redis_server: RedisServer, tokens: TestTokens, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "port": free_port(),
        "nats_url": nats_server.url,
        "redis_url": redis_server.url,
        "jwks_json": tokens.jwks_json,
        "instance_id": f"signaling-test-{secrets.token_hex(3)}",
        "log_level": "WARNING",
        "drain_grace_seconds": 1.0,
        "retry_base_seconds": 0.05,
        "heartbeat_seconds": 0.5,
        "sweep_seconds": 0.2,
        "resume_window_seconds": 3.0,
        **overrides,
    }
    return Settings(**values)


@dataclass
class Cluster:
    """Two signaling instances on one Redis and one NATS, and a test client of JetStream."""

    a: Instance
    b: Instance
    js: JetStreamContext
    nc: Client
    tokens: TestTokens
    redis_server: RedisServer
    nats_server: NatsServer
    extra: list[Instance] = field(default_factory=list)

    def md(self, role: Role, subject: str, agency_id: str | None = "agency-1") -> tuple[tuple[str, str]]:
        return self.tokens.metadata(role, subject, agency_id)

    def token(self, role: Role, subject: str, agency_id: str | None = "agency-1") -> str:
        return self.tokens.token(role, subject, agency_id)

    async def book(
        self,
        officers: tuple[str, ...] = ("officer-1",),
        provider: str = "dr-lee",
        *,
        start_in: timedelta = timedelta(minutes=1),
        length: timedelta = timedelta(minutes=50),
        urgent: bool = False,
    ) -> str:
        """Publish a booked appointment and wait until the provider can see its room."""
        appointment_id = f"appt-{next(_ids)}-{secrets.token_hex(3)}"
        start = datetime.now(UTC) + start_in
        appt = appointment(appointment_id, provider, officers, start, start + length, urgent=urgent)
        await publish_status(self.js, appt)
        await self.wait_room(appointment_id, provider)
        return appointment_id

    async def wait_room(self, appointment_id: str, provider: str) -> pb.RoomState:
        for _ in range(200):
            try:
                return await self.a.stub.GetRoom(
                    pb.GetRoomRequest(appointment_id=appointment_id),
                    metadata=self.md(Role.THERAPIST, provider),
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            await asyncio.sleep(0.025)
        raise AssertionError("the room was never created")

    async def lifecycle(self, appointment_id: str, count: int) -> list[tuple[str, Any]]:
        """The first ``count`` signaling lifecycle events about one appointment, in order."""
        sub = await self.js.subscribe("signaling.>", ordered_consumer=True)
        out: list[tuple[str, Any]] = []
        try:
            async with asyncio.timeout(15):
                while len(out) < count:
                    msg = await sub.next_msg(timeout=15)
                    env, payload = parse(msg.data, msg.headers)
                    if env.subject == appointment_id:
                        out.append((env.type, payload))
        finally:
            await sub.unsubscribe()
        return out
