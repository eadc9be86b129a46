"""What an operator sees: /metrics per service and one trace id from a gRPC call to its event."""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

import grpc
import pytest
from grpc import aio

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc
from tenfour.availability.v1.rules_pb2 import RuleSet
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_shared import tracing
from tenfour_shared.config import ServiceSettings
from tenfour_testing.embedded import free_port
from tenfour_shared.errors import InvalidInput
from tenfour_shared.events.envelope import build
from tenfour_shared.server import Runtime

pytestmark = pytest.mark.integration
SERVICE = "observability-test"  # metrics are process-wide: a name no other test uses


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return str(reply.read().decode())


class Rules(availability_pb2_grpc.AvailabilityServiceServicer):
    def __init__(self) -> None:
        self.trace_ids: list[str] = []
        self.event_traceparents: list[str] = []

    async def GetRules(
        self, request: availability_pb2.GetRulesRequest, context: aio.ServicerContext[Any, Any]
    ) -> RuleSet:
        if request.provider_id == "bad":
            raise InvalidInput.single("provider_id", "must be an opaque id")
        self.trace_ids.append(tracing.trace_id())
        env = build(
            ProviderRulesChanged(provider_id=request.provider_id, version=1), subject=request.provider_id
        )
        self.event_traceparents.append(env.traceparent)
        return RuleSet(provider_id=request.provider_id)


async def test_rpcs_are_counted_and_traced_into_events() -> None:
    metrics_port = free_port()
    settings = ServiceSettings(port=0, metrics_port=metrics_port)
    servicer = Rules()
    runtime = Runtime(SERVICE, settings, ["tenfour.availability.v1.AvailabilityService"])
    availability_pb2_grpc.add_AvailabilityServiceServicer_to_server(servicer, runtime.server)
    async with runtime:
        await runtime.ready()
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            stub = availability_pb2_grpc.AvailabilityServiceStub(channel)
            caller = tracing.new_traceparent()
            await stub.GetRules(
                availability_pb2.GetRulesRequest(provider_id="p1"), metadata=(("traceparent", caller),)
            )
            with pytest.raises(aio.AioRpcError) as bad:
                await stub.GetRules(availability_pb2.GetRulesRequest(provider_id="bad"))
            assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        scraped = await asyncio.to_thread(scrape, metrics_port)

    assert servicer.trace_ids == [caller[3:35]]
    assert servicer.event_traceparents[0][3:35] == caller[3:35]
    rpc = "/tenfour.availability.v1.AvailabilityService/GetRules"
    for code in ("OK", "INVALID_ARGUMENT"):
        assert (
            f'tenfour_rpc_duration_seconds_count{{code="{code}",rpc="{rpc}",service="{SERVICE}"}} 1.0'
            in scraped
        )
    assert "p1" not in scraped  # labels never carry request data
