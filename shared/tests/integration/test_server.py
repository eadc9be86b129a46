"""The gRPC runtime as a client and an operator see it: health, reflection, error statuses, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from pydantic import BaseModel

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc
from tenfour.availability.v1.rules_pb2 import RuleSet
from tenfour.signaling.v1 import signaling_pb2, signaling_pb2_grpc
from tenfour_shared.config import ServiceSettings
from tenfour_shared.errors import FieldViolation, InvalidInput, NotFound
from tenfour_shared.rpc_status import field_violations
from tenfour_shared.server import Runtime

pytestmark = pytest.mark.integration

AVAILABILITY = "tenfour.availability.v1.AvailabilityService"
SIGNALING = "tenfour.signaling.v1.SignalingService"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


class Window(BaseModel):
    start: int
    end: int


class Rules(BaseModel):
    weekly: list[Window]


class Availability(availability_pb2_grpc.AvailabilityServiceServicer):
    """One RPC whose behaviour the test picks through provider_id."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def GetRules(
        self, request: availability_pb2.GetRulesRequest, context: aio.ServicerContext[Any, Any]
    ) -> RuleSet:
        match request.provider_id:
            case "missing":
                raise NotFound("no rules for this provider")
            case "invalid":
                raise InvalidInput.single("provider_id", "must be an opaque id")
            case "pydantic":
                Rules.model_validate({"weekly": [{"start": 1, "end": 2}, {"start": 3}]})
            case "boom":
                raise RuntimeError("officer jane@example.org broke it")
            case "denied":
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, "not your rules")
            case "slow":
                self.started.set()
                await self.release.wait()
        return RuleSet(provider_id=request.provider_id, version=1)


def event(seq: int) -> signaling_pb2.SignalEvent:
    return signaling_pb2.SignalEvent(session_id="s1", seq=seq)


async def stream_outcome(session_id: str) -> AsyncIterator[signaling_pb2.SignalEvent]:
    yield event(1)
    if session_id == "invalid":
        raise InvalidInput.single("last_seen_seq", "too old to resume")
    if session_id == "boom":
        raise RuntimeError("sdp v=0 leaked")
    yield event(2)


class Signaling(signaling_pb2_grpc.SignalingServiceServicer):
    """Streaming RPCs written as async generators."""

    async def Subscribe(
        self, request: signaling_pb2.SubscribeRequest, context: aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[signaling_pb2.SignalEvent]:
        async for item in stream_outcome(request.session_id):
            yield item

    async def Connect(
        self, requests: AsyncIterator[signaling_pb2.ClientSignal], context: aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[signaling_pb2.SignalEvent]:
        async for signal in requests:
            async for item in stream_outcome(signal.subscribe.session_id):
                yield item


class WritingSignaling(signaling_pb2_grpc.SignalingServiceServicer):
    """The same streams written with context.write(), the other style grpc.aio supports."""

    async def Subscribe(  # type: ignore[override]  # the stubs know only the generator style
        self, request: signaling_pb2.SubscribeRequest, context: aio.ServicerContext[Any, Any]
    ) -> None:
        async for item in stream_outcome(request.session_id):
            await context.write(item)

    async def Connect(  # type: ignore[override]  # the stubs know only the generator style
        self, requests: AsyncIterator[signaling_pb2.ClientSignal], context: aio.ServicerContext[Any, Any]
    ) -> None:
        while (signal := await context.read()) is not aio.EOF:
            async for item in stream_outcome(signal.subscribe.session_id):
                await context.write(item)


@dataclass
class Served:
    runtime: Runtime
    availability: Availability
    channel: aio.Channel

    async def health(self, service: str = "") -> int:
        reply = await health_pb2_grpc.HealthStub(self.channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=5
        )
        return int(reply.status)

    async def get_rules(self, provider_id: str) -> RuleSet:
        stub = availability_pb2_grpc.AvailabilityServiceStub(self.channel)
        reply: RuleSet = await stub.GetRules(
            availability_pb2.GetRulesRequest(provider_id=provider_id), timeout=5
        )
        return reply


def make_runtime(
    signaling: signaling_pb2_grpc.SignalingServiceServicer | None = None,
) -> tuple[Runtime, Availability]:
    runtime = Runtime(
        "availability", ServiceSettings(port=0, drain_grace_seconds=10), [AVAILABILITY, SIGNALING]
    )
    availability = Availability()  # type: ignore[abstract]  # the other RPCs answer UNIMPLEMENTED
    availability_pb2_grpc.add_AvailabilityServiceServicer_to_server(availability, runtime.server)
    signaling_pb2_grpc.add_SignalingServiceServicer_to_server(signaling or Signaling(), runtime.server)  # type: ignore[abstract]
    return runtime, availability


@contextlib.asynccontextmanager
async def serving(
    signaling: signaling_pb2_grpc.SignalingServiceServicer | None = None,
) -> AsyncIterator[Served]:
    runtime, availability = make_runtime(signaling)
    async with runtime, aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        await runtime.ready()
        yield Served(runtime, availability, channel)


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    async with serving() as s:
        yield s


async def failure(call: Awaitable[object]) -> aio.AioRpcError:
    with pytest.raises(aio.AioRpcError) as caught:
        await call
    return caught.value


async def test_health_says_serving_only_between_ready_and_drain(eventually: Eventually) -> None:
    runtime, availability = make_runtime()
    entered, go = asyncio.Event(), asyncio.Event()

    async def main() -> None:
        async with runtime:
            entered.set()
            await go.wait()  # connecting to Redis/NATS would happen here
            await runtime.ready()
            await runtime.wait()

    service = asyncio.create_task(main())
    await entered.wait()
    async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        served = Served(runtime, availability, channel)
        assert [await served.health(), await served.health(AVAILABILITY)] == [NOT_SERVING, NOT_SERVING]

        go.set()
        await eventually(lambda: served.health(AVAILABILITY))
        assert [await served.health(), await served.health(SIGNALING)] == [SERVING, SERVING]
        with pytest.raises(aio.AioRpcError) as unknown:
            await served.health("tenfour.nope.v1.Nothing")
        assert unknown.value.code() is grpc.StatusCode.NOT_FOUND

        # SIGTERM: a watcher (load balancer) sees NOT_SERVING while an in-flight call still finishes.
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=AVAILABILITY))
        assert (await watch.read()).status == SERVING
        in_flight = asyncio.create_task(served.get_rules("slow"))
        await availability.started.wait()
        runtime.stop()
        assert (await watch.read()).status == NOT_SERVING
        watch.cancel()
        assert not in_flight.done()
        availability.release.set()
        assert (await in_flight).provider_id == "slow"
        await service

        with pytest.raises(aio.AioRpcError) as after:
            await served.health()
        assert after.value.code() is grpc.StatusCode.UNAVAILABLE


async def test_reflection_lists_the_services(served: Served) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(served.channel)
    call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))

    names = [s.name async for reply in call for s in reply.list_services_response.service]

    assert set(names) == {
        AVAILABILITY,
        SIGNALING,
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    }


async def test_a_good_call_answers(served: Served) -> None:
    assert await served.get_rules("prov-1") == RuleSet(provider_id="prov-1", version=1)


async def test_invalid_argument_carries_the_field_violation(served: Served) -> None:
    error = await failure(served.get_rules("invalid"))

    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "invalid request: provider_id: must be an opaque id"
    assert field_violations(error) == [FieldViolation("provider_id", "must be an opaque id")]


async def test_pydantic_validation_error_becomes_invalid_argument(served: Served) -> None:
    error = await failure(served.get_rules("pydantic"))

    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == [FieldViolation("weekly[1].end", "Field required")]


async def test_not_found_is_not_found(served: Served) -> None:
    error = await failure(served.get_rules("missing"))

    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.details() == "no rules for this provider"
    assert field_violations(error) == []


async def test_a_handler_aborting_itself_keeps_its_status(served: Served) -> None:
    error = await failure(served.get_rules("denied"))

    assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    assert error.details() == "not your rules"


async def test_an_unexpected_exception_is_internal_without_detail_and_the_server_keeps_serving(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="tenfour.rpc"):
        error = await failure(served.get_rules("boom"))

    assert error.code() is grpc.StatusCode.INTERNAL
    assert error.details() == "internal error"
    assert "jane" not in str(error.trailing_metadata())
    [record] = [r for r in caplog.records if r.name == "tenfour.rpc"]
    assert record.getMessage() == "unhandled error"
    assert record.__dict__["error_type"] == "RuntimeError"
    assert record.__dict__["rpc"] == f"/{AVAILABILITY}/GetRules"
    assert record.exc_info is None
    assert (await served.get_rules("prov-2")).provider_id == "prov-2"
    assert await served.health(AVAILABILITY) == SERVING


@pytest.fixture(params=[Signaling, WritingSignaling], ids=["generator", "context-write"])
async def signaling(request: pytest.FixtureRequest) -> AsyncIterator[Served]:
    async with serving(request.param()) as s:
        yield s


async def subscribe(served: Served, session_id: str) -> tuple[list[int], aio.AioRpcError | None]:
    stub = signaling_pb2_grpc.SignalingServiceStub(served.channel)
    seen: list[int] = []
    try:
        async for item in stub.Subscribe(signaling_pb2.SubscribeRequest(session_id=session_id), timeout=5):
            seen.append(item.seq)
    except aio.AioRpcError as error:
        return seen, error
    return seen, None


async def connect(served: Served, session_id: str) -> tuple[list[int], aio.AioRpcError | None]:
    stub = signaling_pb2_grpc.SignalingServiceStub(served.channel)
    hello = signaling_pb2.ClientSignal(subscribe=signaling_pb2.SubscribeRequest(session_id=session_id))
    seen: list[int] = []
    try:
        async for item in stub.Connect(iter([hello]), timeout=5):
            seen.append(item.seq)
    except aio.AioRpcError as error:
        return seen, error
    return seen, None


@pytest.mark.parametrize("call", [subscribe, connect], ids=["server-stream", "bidi"])
async def test_streams_deliver_every_message(
    signaling: Served, call: Callable[[Served, str], Awaitable[tuple[list[int], aio.AioRpcError | None]]]
) -> None:
    assert await call(signaling, "ok") == ([1, 2], None)


@pytest.mark.parametrize("call", [subscribe, connect], ids=["server-stream", "bidi"])
async def test_a_stream_failing_midway_reports_the_domain_error(
    signaling: Served, call: Callable[[Served, str], Awaitable[tuple[list[int], aio.AioRpcError | None]]]
) -> None:
    seen, error = await call(signaling, "invalid")

    assert seen == [1]
    assert error is not None
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == [FieldViolation("last_seen_seq", "too old to resume")]


@pytest.mark.parametrize("call", [subscribe, connect], ids=["server-stream", "bidi"])
async def test_a_stream_crashing_is_internal_never_unknown(
    signaling: Served, call: Callable[[Served, str], Awaitable[tuple[list[int], aio.AioRpcError | None]]]
) -> None:
    seen, error = await call(signaling, "boom")

    assert seen == [1]
    assert error is not None
    assert error.code() is grpc.StatusCode.INTERNAL
    assert error.details() == "internal error"


async def test_background_work_is_restarted_after_a_crash_and_cancelled_at_shutdown(
    eventually: Eventually,
) -> None:
    runs: list[str] = []
    closed: list[str] = []

    async def work() -> None:
        runs.append("start")
        if len(runs) == 1:
            raise ConnectionError("nats away")
        try:
            await asyncio.Event().wait()
        finally:
            runs.append("cancelled")

    async def close(name: str) -> None:
        closed.append(name)

    runtime, _ = make_runtime()
    async with runtime:
        runtime.spawn("relay", work)
        runtime.on_close(lambda: close("redis"))
        runtime.on_close(lambda: close("nats"))
        await eventually(lambda: runs == ["start", "start"])

    assert runs == ["start", "start", "cancelled"]
    assert closed == ["nats", "redis"]


async def test_background_work_that_swallowed_a_cancel_still_stops_at_shutdown(
    eventually: Eventually,
) -> None:
    # Python 3.11's asyncio.wait_for drops a cancel that lands as the reply arrives; a polling
    # loop then goes on, and the event loop's own teardown (one cancel) would wait for it forever.
    cancels: list[str] = []
    rounds: list[int] = []

    async def polling_loop() -> None:
        while True:
            rounds.append(1)
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                if not cancels:
                    cancels.append("swallowed")
                    continue
                cancels.append("stopped")
                raise

    runtime, _ = make_runtime()
    async with runtime:
        runtime.spawn("poller", polling_loop)
        await eventually(lambda: len(rounds) >= 2)

    assert cancels == ["swallowed", "stopped"]
