"""The one place where signaling's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from tenfour.signaling.v1 import signaling_pb2_grpc
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime
from tenfour_signaling.config import Settings
from tenfour_signaling.entrypoints.grpc_api import SERVICE_NAME, SignalingApi
from tenfour_signaling.entrypoints.policy import POLICY

SERVICE = "signaling"


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    infra = Infra(settings, SERVICE)
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    signaling_pb2_grpc.add_SignalingServiceServicer_to_server(
        SignalingApi(),  # type: ignore[abstract]  # later issues' RPCs answer UNIMPLEMENTED
        runtime.server,
    )
    async with runtime:
        await infra.connect(runtime)
        await runtime.ready()
        await runtime.wait()
