"""The scheduling service in-process on real nats-server and redis-server, called through gRPC.

Other services' events are published to JetStream exactly as those services do (envelope,
Nats-Msg-Id = event id), so the read models are fed the way they are in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import grpc
import pytest
import redis.asyncio as aioredis
from google.protobuf.message import Message
from grpc import aio
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import availability_events_pb2, identity_events_pb2
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.bootstrap import Running, running
from tenfour_scheduling.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, Weekday, WeeklyWindow
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.catalog.availability import rule_set_to_proto
from tenfour_shared.events.envelope import build, parse
from tenfour_shared.events.streams import ensure_streams, stream_name
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.rpc_status import field_violations
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.events import until_quiet
from tenfour_testing.tokens import TestTokens

# Monday 2 March 2026, 06:00 in Chicago (CST, UTC-6; DST starts on the 8th).
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
CHICAGO = "America/Chicago"
AGENCY = "agency-1"


@dataclass
class FakeClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def ts_range(start: datetime, end: datetime) -> common.TimeRange:
    out = common.TimeRange()
    out.start.FromDatetime(start)
    out.end.FromDatetime(end)
    return out


def violations(error: grpc.RpcError) -> list[str]:
    return [v.field for v in field_violations(error)]


def start_of(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


def rules(
    provider_id: str, windows: Iterable[tuple[Weekday, time, time]], zone: str = CHICAGO, version: int = 1
) -> RuleSet:
    weekly = tuple(WeeklyWindow(weekday=d, start=s, end=e) for d, s, e in windows)
    return RuleSet(provider_id=provider_id, timezone=zone, weekly=weekly, version=version)


def every_day(start: time, end: time) -> list[tuple[Weekday, time, time]]:
    return [(d, start, end) for d in Weekday]


@dataclass
class Harness:
    stub: scheduling_pb2_grpc.SchedulingServiceStub
    tokens: TestTokens
    clock: FakeClock
    js: JetStreamContext
    redis: aioredis.Redis
    process: Running
    profile_versions: dict[str, int] = field(default_factory=dict)

    # -- callers ----------------------------------------------------------------------------

    def officer(self, officer_id: str, agency: str = AGENCY) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.OFFICER, officer_id, agency)

    def peer(self, peer_id: str, agency: str = AGENCY) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.PEER_SUPPORTER, peer_id, agency)

    def therapist(self, provider_id: str) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.THERAPIST, provider_id, None)

    def admin(self, agency: str = AGENCY) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.AGENCY_ADMIN, f"admin-{agency}", agency)

    # -- other services' events -------------------------------------------------------------

    async def publish(self, payload: Message, subject: str) -> Envelope:
        env = build(payload, subject=subject)
        await publish_event(self.js, env)
        return env

    async def provider(
        self,
        provider_id: str,
        rule_set: RuleSet,
        *,
        kind: common.ProviderKind.ValueType = common.PROVIDER_KIND_THERAPIST,
        agencies: tuple[str, ...] = (AGENCY,),
        languages: tuple[str, ...] = ("en",),
        specialties: tuple[str, ...] = (),
        wait: bool = True,
    ) -> None:
        """Publish the provider's availability and identity events, as those services do."""
        message = rule_set_to_proto(rule_set)
        await self.publish(
            availability_events_pb2.ProviderRulesChanged(
                provider_id=provider_id, version=rule_set.version, rules=message, active=True
            ),
            provider_id,
        )
        version = self.profile_versions.get(provider_id, 0) + 1
        self.profile_versions[provider_id] = version
        profile = identity_events_pb2.ProviderProfile(
            provider_id=provider_id,
            kind=kind,
            agency_ids=list(agencies),
            languages=list(languages),
            specialties=list(specialties),
            timezone=rule_set.timezone,
            display_name=f"Dr {provider_id}",
            active=True,
            first_responder_competent=True,
        )
        await self.publish(
            identity_events_pb2.ProviderProfileUpdated(profile=profile, version=version), provider_id
        )
        if wait:
            await self.until_read_model(provider_id, rule_set.version, version)

    async def until_read_model(self, provider_id: str, rules_version: int, profile_version: int) -> None:
        for _ in range(400):
            got = await self.redis.hget(f"scheduling:provider-rules:{{{provider_id}}}", "version")
            prof = await self.redis.hget(f"scheduling:provider-profile:{{{provider_id}}}", "version")
            if (
                got is not None
                and prof is not None
                and (int(got), int(prof)) >= (rules_version, profile_version)
            ):
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"read model never caught up for {provider_id}")

    async def quiet(self) -> None:
        """The positive marker before asserting that nothing happened: every event staged is
        published and every event delivered to scheduling's consumers is processed."""
        await until_quiet(self.process.infra)

    # -- our RPCs ---------------------------------------------------------------------------

    async def set_roster(
        self,
        officer_id: str,
        template: str = "pitman",
        anchor: date = date(2026, 3, 2),
        zone: str = CHICAGO,
        *,
        cycle: str = "",
        role: Role = Role.OFFICER,
    ) -> pb.Roster:
        roster = pb.Roster(
            template=template,
            cycle=cycle,
            anchor=common.LocalDate(year=anchor.year, month=anchor.month, day=anchor.day),
            timezone=zone,
        )
        meta = self.peer(officer_id) if role is Role.PEER_SUPPORTER else self.officer(officer_id)
        reply: pb.Roster = await self.stub.SetRoster(pb.SetRosterRequest(roster=roster), metadata=meta)
        return reply

    async def book(self, officer_id: str, provider_id: str, start: datetime, key: str = "") -> Appointment:
        request = pb.BookRequest(
            idempotency_key=key or f"{officer_id}-{provider_id}-{start.isoformat()}",
            provider_id=provider_id,
            session_type=common.SESSION_TYPE_INDIVIDUAL,
        )
        request.start.FromDatetime(start)
        reply: Appointment = await self.stub.Book(request, metadata=self.officer(officer_id))
        return reply

    async def get(self, appointment_id: str, officer_id: str) -> Appointment:
        reply: Appointment = await self.stub.GetAppointment(
            pb.GetAppointmentRequest(appointment_id=appointment_id), metadata=self.officer(officer_id)
        )
        return reply

    # -- our events -------------------------------------------------------------------------

    async def scheduling_events(
        self, event_type: str, at_least: int = 0, settle: float = 0.3
    ) -> list[Message]:
        """Every event of ``event_type`` on scheduling's stream (waits for ``at_least``)."""
        stream = stream_name("scheduling")
        found: list[Message] = []
        for _ in range(500):
            found = await self._read(stream, event_type)
            if len(found) >= at_least:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(settle)
        return await self._read(stream, event_type)

    async def _read(self, stream: str, event_type: str) -> list[Message]:
        info = await self.js.stream_info(stream)
        out: list[Message] = []
        if not info.state.messages:
            return out
        for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
            raw = await self.js.get_msg(stream, seq)
            env, payload = parse(raw.data or b"", raw.headers)
            if env.type == event_type:
                out.append(payload)
        return out

    async def keys_matching(self, pattern: str) -> list[str]:
        return sorted([as_bytes(k).decode() async for k in self.redis.scan_iter(match=pattern)])


@pytest.fixture
async def harness(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    redis_client: aioredis.Redis,
    test_tokens: TestTokens,
) -> AsyncIterator[Harness]:
    settings = Settings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        instance_id="test-scheduling",
        jwks_json=test_tokens.jwks_json,
        retry_base_seconds=0.01,
        urgent_poll_seconds=0.05,
        reminder_poll_seconds=0.05,
        log_level="WARNING",
    )
    clock = FakeClock()
    js = nats_js[1]
    await ensure_streams(js)
    async with (
        running(settings, clock) as process,
        aio.insecure_channel(f"127.0.0.1:{process.runtime.port}") as channel,
    ):
        yield Harness(
            scheduling_pb2_grpc.SchedulingServiceStub(channel), test_tokens, clock, js, redis_client, process
        )
