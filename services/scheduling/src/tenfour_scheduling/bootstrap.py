"""The one place where scheduling's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.adapters.provider_read_model import ProviderReadModel
from tenfour_scheduling.config import Settings
from tenfour_scheduling.entrypoints.event_handlers import availability_handlers
from tenfour_scheduling.entrypoints.grpc_api import SERVICE_NAME, SchedulingApi
from tenfour_scheduling.entrypoints.policy import POLICY
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "scheduling"


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    infra = Infra(settings, SERVICE)
    read_model = ProviderReadModel(infra.redis)
    infra.consume("availability", availability_handlers(read_model))
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    scheduling_pb2_grpc.add_SchedulingServiceServicer_to_server(
        SchedulingApi(),  # type: ignore[abstract]  # later issues' RPCs answer UNIMPLEMENTED
        runtime.server,
    )
    async with runtime:
        await infra.connect(runtime)
        await runtime.ready()
        await runtime.wait()
