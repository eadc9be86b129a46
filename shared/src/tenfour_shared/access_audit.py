"""Access audit: every successful view, join, admit, cancel and reschedule of a session becomes
an event (`<service>.session_accessed`) that identity appends to its hash-chained trail.

A server interceptor, so the use cases stay untouched: each service lists which of its RPCs
touch which sessions (`AuditedRpc`). The event goes through the service's outbox like every
other event, so it survives a NATS outage. It is written after the RPC succeeded, in its own
step: a crash in between loses that one entry (documented in identity's README).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import redis.asyncio as aioredis
from google.protobuf.message import Message
from grpc import aio

from tenfour.events.v1.access_events_pb2 import (
    SchedulingSessionAccessed,
    SessionAccess,
    SignalingSessionAccessed,
)
from tenfour_shared.auth.principal import current_principal_or_none
from tenfour_shared.events import envelope, outbox
from tenfour_shared.events.outbox import OutboxRelay

log = logging.getLogger("tenfour.access_audit")

if TYPE_CHECKING:  # grpc's classes are not generic at runtime, only in the stubs
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Continuation: TypeAlias = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]

ACTIONS = ("view", "join", "admit", "cancel", "reschedule")
TAG = "audit"  # one outbox per service for these events
_WRAPPERS: dict[str, Callable[[SessionAccess], Message]] = {
    "scheduling": lambda a: SchedulingSessionAccessed(access=a),
    "signaling": lambda a: SignalingSessionAccessed(access=a),
}

SessionIds = Callable[[Any, Any], Sequence[str]]  # (request, response) -> appointment ids


@dataclass(frozen=True)
class AuditedRpc:
    action: str
    sessions: SessionIds


def request_field(name: str) -> SessionIds:
    return lambda request, _response: [getattr(request, name)] if getattr(request, name) else []


class AccessAuditInterceptor(aio.ServerInterceptor):
    """Place after the auth interceptor: the caller is known when the RPC has run."""

    def __init__(
        self, service: str, redis: aioredis.Redis, relay: OutboxRelay, rpcs: Mapping[str, AuditedRpc]
    ) -> None:
        if service not in _WRAPPERS:
            raise ValueError(f"{service} has no session_accessed event")
        for rpc in rpcs.values():
            if rpc.action not in ACTIONS:
                raise ValueError(f"unknown audit action {rpc.action}")
        self._service = service
        self._redis = redis
        self._relay = relay
        self._rpcs = dict(rpcs)

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method.rsplit("/", 1)[-1]
        audited = self._rpcs.get(method)
        if handler is None or audited is None or handler.unary_unary is None:
            return handler
        behavior: Callable[..., Awaitable[Any]] = handler.unary_unary  # an async servicer method

        async def call(request: Any, context: aio.ServicerContext[Any, Any]) -> Any:
            response = await behavior(request, context)
            await self.record(audited, request, response)
            return response

        return grpc.unary_unary_rpc_method_handler(
            call,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    async def record(self, audited: AuditedRpc, request: Any, response: Any) -> None:
        principal = current_principal_or_none()
        if principal is None:
            return
        try:
            ids = [i for i in audited.sessions(request, response) if i]
            if not ids:
                return
            pipe = self._redis.pipeline(transaction=True)
            for appointment_id in ids:
                access = SessionAccess(
                    action=audited.action,
                    appointment_id=appointment_id,
                    actor_id=principal.subject,
                    actor_role=principal.role.value,
                )
                event = envelope.build(_WRAPPERS[self._service](access), subject=TAG)
                outbox.stage(pipe, self._service, TAG, event)
            await pipe.execute()
            await self._relay.notify(TAG)
        except Exception as exc:  # the caller's action happened; its audit entry is what failed
            log.error("access audit not recorded", extra={"error_type": type(exc).__name__})
