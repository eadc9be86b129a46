"""The gRPC services behind the gateway: channels, and the catalogue of RPCs the JSON API exposes.

The catalogue is read from the protos' descriptors, so a new unary RPC is reachable as
`POST /api/<service>/<Method>` as soon as its proto lands; each service's own policy decides who
may call it. The gateway adds no rules of its own beyond keeping tokens away from JavaScript.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.availability.v1 import availability_pb2
from tenfour.identity.v1 import identity_pb2
from tenfour.notifications.v1 import notifications_pb2
from tenfour.outcomes.v1 import outcomes_pb2
from tenfour.scheduling.v1 import scheduling_pb2
from tenfour.signaling.v1 import signaling_pb2
from tenfour_shared.config import TlsSettings
from tenfour_shared.tls import aio_channel

__all__ = ["SERVICES", "Backends", "Rpc", "build_catalogue"]

SERVICES: Mapping[str, ServiceDescriptor] = {
    "identity": identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
    "availability": availability_pb2.DESCRIPTOR.services_by_name["AvailabilityService"],
    "scheduling": scheduling_pb2.DESCRIPTOR.services_by_name["SchedulingService"],
    "signaling": signaling_pb2.DESCRIPTOR.services_by_name["SignalingService"],
    "outcomes": outcomes_pb2.DESCRIPTOR.services_by_name["OutcomesService"],
    "notifications": notifications_pb2.DESCRIPTOR.services_by_name["NotificationService"],
}

# Reached through their own routes: token-issuing calls set cookies (/api/auth/*), the JWKS is
# /.well-known/jwks.json and the calendar feed is a public GET for calendar apps.
_OWN_ROUTES = frozenset(
    {
        "identity.Login",
        "identity.Refresh",
        "identity.Logout",
        "identity.RedeemEnrolmentCode",
        "identity.CompleteMfaSetup",
        "identity.GetJwks",
        "scheduling.GetCalendarFeed",
    }
)
# Never handed to JavaScript through the generic route, whatever new RPC returns them.
_TOKEN_MESSAGES = frozenset({"tenfour.identity.v1.AuthResult"})


@dataclass(frozen=True, slots=True)
class Rpc:
    service: str  # short name: identity, scheduling, ...
    method: str
    path: str  # /tenfour.scheduling.v1.SchedulingService/FindSlots
    request: type[Message]
    response: type[Message]


def _rpc(service: str, method: MethodDescriptor) -> Rpc:
    return Rpc(
        service=service,
        method=method.name,
        path=f"/{method.containing_service.full_name}/{method.name}",
        request=GetMessageClass(method.input_type),
        response=GetMessageClass(method.output_type),
    )


def build_catalogue(services: Mapping[str, ServiceDescriptor] = SERVICES) -> dict[tuple[str, str], Rpc]:
    """Unary RPCs the generic JSON route may call, by (service, method)."""
    out: dict[tuple[str, str], Rpc] = {}
    for name, service in services.items():
        for method in service.methods:
            if method.client_streaming or method.server_streaming:
                continue
            if f"{name}.{method.name}" in _OWN_ROUTES or method.output_type.full_name in _TOKEN_MESSAGES:
                continue
            out[(name, method.name)] = _rpc(name, method)
    return out


def rpc_of(service: str, method: str) -> Rpc:
    """Any RPC by name, including those with their own routes."""
    return _rpc(service, SERVICES[service].methods_by_name[method])


Metadata = Sequence[tuple[str, str]]


class Backends:
    """One channel per backend, shared by every request (gRPC multiplexes calls on it)."""

    def __init__(self, targets: Mapping[str, str], timeout: float, tls: TlsSettings | None = None) -> None:
        self.targets = dict(targets)
        self.timeout = timeout
        options = [("grpc.keepalive_time_ms", 30_000), ("grpc.keepalive_permit_without_calls", 0)]
        self._channels = {name: aio_channel(t, tls, options) for name, t in targets.items()}
        self._callables: dict[str, Any] = {}

    def channel(self, service: str) -> aio.Channel:
        return self._channels[service]

    async def call(
        self, rpc: Rpc, request: Message, metadata: Metadata, deadline: float | None = None
    ) -> Any:
        method = self._callables.get(rpc.path)
        if method is None:
            method = self.channel(rpc.service).unary_unary(
                rpc.path,
                request_serializer=rpc.request.SerializeToString,
                response_deserializer=rpc.response.FromString,
            )
            self._callables[rpc.path] = method
        return await method(request, metadata=tuple(metadata), timeout=deadline or self.timeout)

    async def health(self, deadline: float = 1.0) -> dict[str, str]:
        """Each backend's gRPC health for its main service: SERVING, NOT_SERVING, UNKNOWN..."""

        async def one(name: str) -> tuple[str, str]:
            stub = health_pb2_grpc.HealthStub(self.channel(name))
            service = SERVICES[name].full_name
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=deadline)
            except grpc.RpcError:
                return name, "UNREACHABLE"
            return name, health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

        return dict(await asyncio.gather(*(one(name) for name in self._channels)))

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self._channels.values()), return_exceptions=True)
