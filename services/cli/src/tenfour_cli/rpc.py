"""gRPC channels and stubs for every service, and a call helper that turns failures into CliErrors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tenfour.availability.v1 import availability_pb2_grpc
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour.outcomes.v1 import outcomes_pb2_grpc
from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour.signaling.v1 import signaling_pb2_grpc
from tenfour_cli.config import Targets
from tenfour_cli.exits import from_rpc_error
from tenfour_shared.config import TlsSettings, load_settings
from tenfour_shared.tls import sync_channel

__all__ = ["Clients", "Metadata", "bearer", "call", "health_status", "reflected_services"]

Metadata = Sequence[tuple[str, str]]
R = TypeVar("R")

_HEALTH_NAMES = {v: k for k, v in health_pb2.HealthCheckResponse.ServingStatus.items()}


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)


def call(
    method: Callable[..., R],
    request: Any,
    *,
    metadata: Metadata = (),
    timeout: float = 10.0,
    what: str = "",
) -> R:
    """One unary call; a failure becomes a CliError whose exit code tells what went wrong."""
    try:
        return method(request, metadata=tuple(metadata), timeout=timeout)
    except grpc.RpcError as exc:
        raise from_rpc_error(exc, what) from None


class Clients:
    """One channel per service, opened on first use and closed by `close()`."""

    def __init__(self, targets: Targets, timeout: float = 10.0, tls: TlsSettings | None = None) -> None:
        self.targets = targets
        self.timeout = timeout
        # Mutual TLS with the certificate named by TENFOUR_TLS_* (an operator's CLI certificate).
        self.tls = tls if tls is not None else load_settings(TlsSettings)
        self._channels: dict[str, grpc.Channel] = {}

    def channel(self, service: str) -> grpc.Channel:
        if service not in self._channels:
            self._channels[service] = sync_channel(getattr(self.targets, service), self.tls)
        return self._channels[service]

    @property
    def identity(self) -> identity_pb2_grpc.IdentityServiceStub:
        return identity_pb2_grpc.IdentityServiceStub(self.channel("identity"))

    @property
    def availability(self) -> availability_pb2_grpc.AvailabilityServiceStub:
        return availability_pb2_grpc.AvailabilityServiceStub(self.channel("availability"))

    @property
    def scheduling(self) -> scheduling_pb2_grpc.SchedulingServiceStub:
        return scheduling_pb2_grpc.SchedulingServiceStub(self.channel("scheduling"))

    @property
    def outcomes(self) -> outcomes_pb2_grpc.OutcomesServiceStub:
        return outcomes_pb2_grpc.OutcomesServiceStub(self.channel("outcomes"))

    @property
    def signaling(self) -> signaling_pb2_grpc.SignalingServiceStub:
        return signaling_pb2_grpc.SignalingServiceStub(self.channel("signaling"))

    @property
    def notifications(self) -> notifications_pb2_grpc.NotificationServiceStub:
        return notifications_pb2_grpc.NotificationServiceStub(self.channel("notifications"))

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def health_status(channel: grpc.Channel, service: str = "", timeout: float = 2.0) -> str:
    """SERVING, NOT_SERVING, SERVICE_UNKNOWN, ... or UNREACHABLE when the call fails."""
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
    except grpc.RpcError as exc:
        code = exc.code() if isinstance(exc, grpc.Call) else None
        if code is grpc.StatusCode.NOT_FOUND:
            return "SERVICE_UNKNOWN"
        return "UNREACHABLE"
    return str(_HEALTH_NAMES.get(reply.status, "UNKNOWN"))


def reflected_services(channel: grpc.Channel, timeout: float = 2.0) -> list[str]:
    """The services a server lists through gRPC server reflection (empty if it does not answer)."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    try:
        replies = stub.ServerReflectionInfo(iter([request]), timeout=timeout)
        return sorted({s.name for reply in replies for s in reply.list_services_response.service})
    except grpc.RpcError:
        return []
