"""The one place where identity's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.config import Settings
from tenfour_identity.entrypoints.grpc_api import SERVICE_NAME, IdentityApi
from tenfour_identity.entrypoints.policy import POLICY
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "identity"


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    infra = Infra(settings, SERVICE)
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(
        IdentityApi(),  # type: ignore[abstract]  # later issues' RPCs answer UNIMPLEMENTED
        runtime.server,
    )
    async with runtime:
        await infra.connect(runtime)
        await runtime.ready()
        await runtime.wait()
