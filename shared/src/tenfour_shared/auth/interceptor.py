"""The gRPC server interceptor that authenticates every call and enforces the RPC policy.

Order of checks: unknown method → let gRPC answer UNIMPLEMENTED; not in the policy →
PERMISSION_DENIED (deny by default); public → run without a principal; then the bearer token
(UNAUTHENTICATED) and the role (PERMISSION_DENIED). Handlers see the caller through
`current_principal()`, and an `AccessDenied` they raise becomes PERMISSION_DENIED.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
from grpc import aio

from tenfour_shared.auth.errors import AccessDenied, InvalidToken, KeysUnavailable
from tenfour_shared.auth.policy import Policy, Verdict
from tenfour_shared.auth.principal import Principal, principal_scope, set_principal
from tenfour_shared.auth.tokens import TokenVerifier

__all__ = ["AuthInterceptor", "bearer_token"]

_log = logging.getLogger(__name__)

if TYPE_CHECKING:  # grpc's classes are not generic at runtime, only in the stubs
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Continuation: TypeAlias = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]


def bearer_token(metadata: Sequence[tuple[str, str | bytes]] | None) -> str | None:
    """The token of the single `authorization: Bearer <token>` entry, else None."""
    values = [v for k, v in metadata or () if k.lower() == "authorization"]
    if len(values) != 1 or not isinstance(values[0], str):
        return None  # absent, or ambiguous: two headers may be read differently by a proxy
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


class AuthInterceptor(aio.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier, policy: Policy) -> None:
        self._verifier = verifier
        self._policy = policy

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        rule = self._policy.rule_for(method)
        if rule is None:
            _log.warning("denied %s: no rule in the policy", method)
            return _refusal(handler, grpc.StatusCode.PERMISSION_DENIED, "permission denied")
        if rule.public:
            return handler
        token = bearer_token(handler_call_details.invocation_metadata)
        if token is None:
            return _refusal(handler, grpc.StatusCode.UNAUTHENTICATED, "missing bearer token")
        try:
            principal = await self._verifier.verify(token)
        except InvalidToken as exc:
            _log.info("denied %s: token rejected (%s)", method, exc.reason)  # reason only, never the token
            return _refusal(handler, grpc.StatusCode.UNAUTHENTICATED, str(exc))
        except KeysUnavailable:
            _log.error("denied %s: verification keys unavailable", method)
            return _refusal(handler, grpc.StatusCode.UNAVAILABLE, "authentication temporarily unavailable")
        if rule.judge(principal) is not Verdict.ALLOW:
            _log.info("denied %s: role %s not allowed", method, principal.role.value)
            return _refusal(handler, grpc.StatusCode.PERMISSION_DENIED, "permission denied")
        return _with_principal(handler, principal)


def _factory(handler: Handler) -> Callable[..., Handler]:
    if handler.request_streaming:
        if handler.response_streaming:
            return grpc.stream_stream_rpc_method_handler
        return grpc.stream_unary_rpc_method_handler
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler
    return grpc.unary_unary_rpc_method_handler


def _behavior(handler: Handler) -> Callable[..., Any]:
    behavior = handler.unary_unary or handler.unary_stream or handler.stream_unary or handler.stream_stream
    assert behavior is not None
    return behavior


def _refusal(handler: Handler, code: grpc.StatusCode, details: str) -> Handler:
    """A handler of the same shape as `handler` that only aborts; the request is never parsed."""

    async def refuse(_request: Any, context: aio.ServicerContext[Any, Any]) -> None:
        await context.abort(code, details)

    return _factory(handler)(refuse, None, handler.response_serializer)


def _with_principal(handler: Handler, principal: Principal) -> Handler:
    behavior = _behavior(handler)

    if inspect.isasyncgenfunction(behavior):

        async def stream(request: Any, context: aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            # Each RPC runs in its own task and context, so no reset is needed; resetting in a
            # generator's finally could run in a foreign context when the generator is GC'd.
            set_principal(principal)
            try:
                async for response in behavior(request, context):
                    yield response
            except AccessDenied as exc:
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))

        wrapped: Callable[..., Any] = stream
    else:

        async def call(request: Any, context: aio.ServicerContext[Any, Any]) -> Any:
            with principal_scope(principal):
                try:
                    result = behavior(request, context)
                    return await result if inspect.isawaitable(result) else result
                except AccessDenied as exc:
                    await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))

        wrapped = call
    return _factory(handler)(wrapped, handler.request_deserializer, handler.response_serializer)
