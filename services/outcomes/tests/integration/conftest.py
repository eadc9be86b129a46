"""The outcomes service in-process on real nats-server and redis-server, fed events the way
identity and scheduling publish them, and called through gRPC."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import redis.asyncio as aioredis
from google.protobuf.message import Message
from grpc import aio
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.outcomes.v1 import outcomes_pb2 as pb
from tenfour.outcomes.v1 import outcomes_pb2_grpc
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_outcomes.bootstrap import running
from tenfour_outcomes.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.rpc_status import field_violations
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

# Late enough that January and February 2026 are published (14 days after each month ends).
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
S = AppointmentStatus


@dataclass
class FakeClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    stub: outcomes_pb2_grpc.OutcomesServiceStub
    tokens: TestTokens
    clock: FakeClock
    js: JetStreamContext
    redis: aioredis.Redis
    port: int
    _ticks: itertools.count[int] = field(default_factory=itertools.count)
    _versions: dict[str, int] = field(default_factory=dict)

    # --- events, exactly as the producers publish them ----------------------------------------

    async def publish(self, payload: Message, subject: str, when: datetime | None = None) -> None:
        # Event times grow with every publish: the order tests publish in is the order of events.
        tick = timedelta(seconds=next(self._ticks))
        env = build(payload, subject=subject, when=when or datetime(2025, 6, 1, tzinfo=UTC) + tick)
        await publish_event(self.js, env)

    async def enrol(
        self,
        user_id: str,
        agency_id: str = "agency-1",
        at: datetime | None = None,
        role: common_pb2.Role.ValueType = common_pb2.ROLE_OFFICER,
    ) -> None:
        await self.publish(UserRegistered(user_id=user_id, agency_id=agency_id, role=role), user_id, at)

    async def status(
        self,
        appointment: Appointment,
        status: int,
        previous: int = S.APPOINTMENT_STATUS_BOOKED,
        late: bool = False,
        version: int | None = None,
    ) -> None:
        """A status change as scheduling publishes it: the whole appointment, one version up."""
        changed = Appointment()
        changed.CopyFrom(appointment)
        changed.status = status  # type: ignore[assignment]
        changed.late_cancellation = late
        changed.status_reason = "officer_cancelled" if status == S.APPOINTMENT_STATUS_CANCELLED else ""
        if version is None:
            self._versions[appointment.appointment_id] = self._versions.get(appointment.appointment_id, 0) + 1
            version = self._versions[appointment.appointment_id]
        changed.version = version
        payload = AppointmentStatusChanged(
            appointment=changed,
            previous_status=previous,  # type: ignore[arg-type]
            reason_code=changed.status_reason,
        )
        await self.publish(payload, appointment.appointment_id)

    async def session(self, appointment: Appointment, outcome: int = S.APPOINTMENT_STATUS_FULFILLED) -> None:
        """Booked, then its outcome (fulfilled by default), as scheduling reports a session."""
        await self.status(appointment, S.APPOINTMENT_STATUS_BOOKED, S.APPOINTMENT_STATUS_UNSPECIFIED)
        if outcome != S.APPOINTMENT_STATUS_BOOKED:
            await self.status(appointment, outcome)

    async def settle(self) -> None:
        """Wait until the service has consumed everything published so far."""
        for _ in range(400):
            busy = False
            for source, stream in (("identity", "TENFOUR_IDENTITY"), ("scheduling", "TENFOUR_SCHEDULING")):
                try:
                    info = await self.js.consumer_info(stream, f"outcomes-from-{source}")
                except Exception:
                    busy = True
                    continue
                if info.num_pending or info.num_ack_pending:
                    busy = True
            if not busy:
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("outcomes did not consume the published events")

    # --- calls ------------------------------------------------------------------------------------

    def officer(self, subject: str, agency_id: str = "agency-1") -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.OFFICER, subject, agency_id)

    def admin(self, agency_id: str = "agency-1") -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.AGENCY_ADMIN, "coordinator-1", agency_id)

    def operator(self) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(Role.SYSTEM_ADMIN, "operator-1", None)

    async def credential(self, officer: str, appointment_id: str, agency_id: str = "agency-1") -> str:
        request = pb.IssueFeedbackCredentialRequest(appointment_id=appointment_id)
        reply = await self.stub.IssueFeedbackCredential(request, metadata=self.officer(officer, agency_id))
        return str(reply.credential)

    async def feedback(
        self,
        officer: str,
        credential: str,
        rating: int = 4,
        recommend: bool | None = True,
        before: int | None = 7,
        after: int | None = 4,
        agency_id: str = "agency-1",
    ) -> None:
        request = pb.SubmitFeedbackRequest(credential=credential, rating=rating)
        if recommend is not None:
            request.would_recommend = recommend
        if before is not None:
            request.stress_before = before
        if after is not None:
            request.stress_after = after
        await self.stub.SubmitFeedback(request, metadata=self.officer(officer, agency_id))

    async def report(self, agency_id: str = "agency-1") -> pb.AgencyReport:
        reply: pb.AgencyReport = await self.stub.GetAgencyReport(
            pb.GetAgencyReportRequest(), metadata=self.admin(agency_id)
        )
        return reply

    async def dump(self) -> dict[str, object]:
        """Every key of the outcomes read model with its contents, for privacy checks."""
        out: dict[str, object] = {}
        async for raw in self.redis.scan_iter(match="outcomes:*"):
            key = raw.decode()
            kind = (await self.redis.type(key)).decode()
            if kind == "hash":
                out[key] = {k.decode(): v.decode() for k, v in (await self.redis.hgetall(key)).items()}
            elif kind == "zset":
                out[key] = [(m.decode(), s) for m, s in await self.redis.zrange(key, 0, -1, withscores=True)]
            elif kind == "set":
                out[key] = sorted(m.decode() for m in await self.redis.smembers(key))
            else:
                out[key] = kind
        return out


def appointment(
    appointment_id: str,
    officers: Sequence[str],
    start: datetime,
    provider: str = "therapist-1",
    agency_id: str = "agency-1",
    urgent: bool = False,
    created: datetime | None = None,
) -> Appointment:
    out = Appointment(
        appointment_id=appointment_id,
        agency_id=agency_id,
        provider_id=provider,
        officer_ids=list(officers),
        session_type=common_pb2.SESSION_TYPE_GROUP
        if len(officers) > 1
        else common_pb2.SESSION_TYPE_INDIVIDUAL,
        status=S.APPOINTMENT_STATUS_BOOKED,
        urgent=urgent,
        capacity=max(1, len(officers)),
    )
    out.time.start.FromDatetime(start)
    out.time.end.FromDatetime(start + timedelta(minutes=50))
    out.created_at.FromDatetime(created or start - timedelta(days=3))
    return out


Cell = float | str  # a shown value, or "small" / "complementary" / "n/a"
_MARK = {
    pb.FIGURE_STATUS_SUPPRESSED_SMALL_CELL: "small",
    pb.FIGURE_STATUS_SUPPRESSED_COMPLEMENTARY: "complementary",
    pb.FIGURE_STATUS_NOT_AVAILABLE: "n/a",
}


def table(report: pb.AgencyReport) -> dict[str, dict[str, Cell]]:
    """period label -> field -> shown value or a suppression mark."""
    out: dict[str, dict[str, Cell]] = {}
    for row in report.periods:
        cells: dict[str, Cell] = {}
        for descriptor, figure in row.ListFields():
            if isinstance(figure, pb.Figure):
                status = figure.status
                cells[descriptor.name] = figure.value if status == pb.FIGURE_STATUS_SHOWN else _MARK[status]
        out[row.period.label] = cells
    return out


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def code(error: BaseException) -> grpc.StatusCode:
    assert isinstance(error, grpc.RpcError)
    result: grpc.StatusCode = error.code()  # type: ignore[attr-defined]
    return result


def violations(error: BaseException) -> list[str]:
    assert isinstance(error, grpc.RpcError)
    return [v.field for v in field_violations(error)]


@pytest.fixture
async def harness(
    nats_server: NatsServer,
    redis_server: RedisServer,
    redis_client: aioredis.Redis,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
) -> AsyncIterator[Harness]:
    settings = Settings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        instance_id="test-outcomes",
        jwks_json=test_tokens.jwks_json,
        retry_base_seconds=0.01,
        log_level="WARNING",
        outcomes_pseudonym_key="k" * 40,
    )
    await ensure_streams(nats_js[1])
    clock = FakeClock()
    async with (
        running(settings, clock) as runtime,
        aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
    ):
        yield Harness(
            outcomes_pb2_grpc.OutcomesServiceStub(channel),
            test_tokens,
            clock,
            nats_js[1],
            redis_client,
            runtime.port,
        )
