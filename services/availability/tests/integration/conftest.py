"""The availability service in-process on real nats-server and redis-server, called through gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from grpc import aio
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour.common.v1 import common_pb2
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_availability.bootstrap import running
from tenfour_availability.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.envelope import parse
from tenfour_shared.events.streams import stream_name
from tenfour_shared.rpc_status import field_violations
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

# Every DST change of 2026 is ahead of this instant, in both hemispheres.
START = datetime(2026, 1, 5, 12, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    stub: availability_pb2_grpc.AvailabilityServiceStub
    tokens: TestTokens
    clock: FakeClock
    js: JetStreamContext

    def as_provider(self, provider_id: str, role: Role = Role.THERAPIST) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(role, provider_id)

    async def set_rules(self, rules: rules_pb2.RuleSet, expected_version: int = 0) -> rules_pb2.RuleSet:
        request = availability_pb2.SetRulesRequest(rules=rules, expected_version=expected_version)
        reply: rules_pb2.RuleSet = await self.stub.SetRules(
            request, metadata=self.as_provider(rules.provider_id)
        )
        return reply

    async def get_rules(self, provider_id: str) -> rules_pb2.RuleSet:
        request = availability_pb2.GetRulesRequest(provider_id=provider_id)
        reply: rules_pb2.RuleSet = await self.stub.GetRules(request, metadata=self.as_provider(provider_id))
        return reply

    async def free(
        self,
        provider_id: str,
        start: datetime,
        end: datetime,
        session_type: common_pb2.SessionType.ValueType = common_pb2.SESSION_TYPE_UNSPECIFIED,
    ) -> list[tuple[datetime, datetime, tuple[int, ...]]]:
        request = availability_pb2.ListAvailabilityRequest(
            provider_id=provider_id, range=time_range(start, end), session_type=session_type
        )
        reply = await self.stub.ListAvailability(request, metadata=self.as_provider(provider_id))
        return [
            (f.range.start.ToDatetime(tzinfo=UTC), f.range.end.ToDatetime(tzinfo=UTC), tuple(f.session_types))
            for f in reply.free
        ]

    async def import_ics(self, provider_id: str, ics: str) -> availability_pb2.ImportBusyCalendarResponse:
        request = availability_pb2.ImportBusyCalendarRequest(provider_id=provider_id, ics=ics)
        reply: availability_pb2.ImportBusyCalendarResponse = await self.stub.ImportBusyCalendar(
            request, metadata=self.as_provider(provider_id)
        )
        return reply

    async def events(self, count: int, settle: float = 0.3) -> list[ProviderRulesChanged]:
        """Exactly ``count`` events on availability's stream (waits for them, then checks no more come)."""
        stream = stream_name("availability")
        for _ in range(400):
            if (await self.js.stream_info(stream)).state.messages >= count:
                break
            await asyncio.sleep(0.025)
        await asyncio.sleep(settle)
        assert (await self.js.stream_info(stream)).state.messages == count
        out = []
        for seq in range(1, count + 1):
            raw = await self.js.get_msg(stream, seq)
            _, payload = parse(raw.data or b"", raw.headers)
            assert isinstance(payload, ProviderRulesChanged)
            out.append(payload)
        return out


def time_range(start: datetime, end: datetime) -> common_pb2.TimeRange:
    out = common_pb2.TimeRange()
    out.start.FromDatetime(start)
    out.end.FromDatetime(end)
    return out


def clock(hour: int, minute: int = 0) -> common_pb2.LocalTime:
    return common_pb2.LocalTime(hour=hour, minute=minute)


def weekly(
    weekday: int, start: tuple[int, int], end: tuple[int, int], *offers: common_pb2.SessionType.ValueType
) -> rules_pb2.WeeklyWindow:
    return rules_pb2.WeeklyWindow(weekday=weekday, start=clock(*start), end=clock(*end), offers=offers)


def every_day(start: tuple[int, int], end: tuple[int, int]) -> list[rules_pb2.WeeklyWindow]:
    return [weekly(day, start, end) for day in range(1, 8)]


def violations(error: grpc.RpcError) -> list[tuple[str, str]]:
    return [(v.field, v.description) for v in field_violations(error)]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


HOUR = timedelta(hours=1)


@pytest.fixture
async def harness(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
) -> AsyncIterator[Harness]:
    settings = Settings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        instance_id="test-availability",
        jwks_json=test_tokens.jwks_json,
        retry_base_seconds=0.01,
        busy_refresh_seconds=0.05,
        log_level="WARNING",
    )
    fake = FakeClock()
    async with (
        running(settings, fake) as runtime,
        aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
    ):
        yield Harness(availability_pb2_grpc.AvailabilityServiceStub(channel), test_tokens, fake, nats_js[1])
