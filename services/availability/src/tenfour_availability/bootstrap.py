"""The one place where availability's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from tenfour.availability.v1 import availability_pb2_grpc
from tenfour_availability.adapters.rules_repository import RulesRepository
from tenfour_availability.config import Settings
from tenfour_availability.entrypoints.grpc_api import SERVICE_NAME, AvailabilityApi
from tenfour_availability.entrypoints.policy import POLICY
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "availability"


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    infra = Infra(settings, SERVICE)
    repo = RulesRepository(infra.redis, infra.relay)
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    availability_pb2_grpc.add_AvailabilityServiceServicer_to_server(
        AvailabilityApi(repo),  # type: ignore[abstract]  # later issues' RPCs answer UNIMPLEMENTED
        runtime.server,
    )
    async with runtime:
        await infra.connect(runtime)
        await runtime.ready()
        await runtime.wait()
