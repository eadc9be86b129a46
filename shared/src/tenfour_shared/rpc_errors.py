"""Server interceptor that turns domain errors into rich gRPC statuses.

Handlers raise DomainError (or let pydantic ValidationError escape); nothing a client sends
may surface as UNKNOWN. A dependency outage (Redis or NATS unreachable, timing out, loading,
or out of memory) is UNAVAILABLE with google.rpc.RetryInfo, so standard clients retry; it is
not the caller's fault and not a bug. Other unexpected exceptions become INTERNAL with no
detail, and are logged by type only because their messages may quote request data.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import nats.errors
import nats.js.errors
import redis.exceptions
from grpc import aio
from pydantic import ValidationError

from tenfour_shared import metrics, tracing
from tenfour_shared.errors import (
    DependencyDown,
    DomainError,
    InvalidInput,
    violations_from_pydantic,
)
from tenfour_shared.rpc_status import code_for, to_status

log = logging.getLogger("tenfour.rpc")

# Redis: refused/reset connections, timeouts, loading after a restart, maxmemory (noeviction).
# NATS: no server, closed/draining/reconnecting connection, request timeouts, JetStream down.
OUTAGES: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
    nats.errors.NoServersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionDrainingError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.StaleConnectionError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.NoRespondersError,
    nats.errors.TimeoutError,
    nats.js.errors.ServiceUnavailableError,
    ConnectionError,
    TimeoutError,
)


def _as_domain(exc: Exception) -> DomainError | None:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, ValidationError):
        return InvalidInput(violations_from_pydantic(exc))
    if isinstance(exc, OUTAGES):
        log.warning("dependency unavailable", extra={"error_type": type(exc).__name__})
        return DependencyDown("a service this request needs is temporarily unavailable; retry shortly")
    return None


async def _abort(context: aio.ServicerContext[Any, Any], rpc: str, exc: Exception) -> None:
    domain = _as_domain(exc)
    if domain is None:
        log.error("unhandled error", extra={"rpc": rpc, "error_type": type(exc).__name__})
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")
    else:
        await context.abort_with_status(to_status(domain))


class ErrorInterceptor(aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        # The handler is typed Any: grpc's stubs do not describe RpcMethodHandler's fields.
        handler: Any = await continuation(handler_call_details)
        if handler is None:
            return handler
        rpc = str(handler_call_details.method)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: aio.ServicerContext[Any, Any]) -> Any:
                started = time.perf_counter()
                token = tracing.activate(tracing.continue_from(_metadata(context, "traceparent")))
                code = "OK"
                try:
                    return await inner(request, context)
                except aio.AbortError:
                    code = _code_name(context)
                    raise
                except Exception as exc:
                    domain = _as_domain(exc)
                    code = code_for(domain).name if domain else "INTERNAL"
                    await _abort(context, rpc, exc)
                finally:
                    elapsed = time.perf_counter() - started
                    metrics.RPC_SECONDS.labels(metrics.service(), rpc, code).observe(elapsed)
                    log.debug(
                        "rpc done", extra={"rpc": rpc, "code": code, "duration_ms": round(elapsed * 1e3, 2)}
                    )
                    tracing.deactivate(token)

            return grpc.unary_unary_rpc_method_handler(
                unary, handler.request_deserializer, handler.response_serializer
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _guard_stream(handler.unary_stream, rpc),
                handler.request_deserializer,
                handler.response_serializer,
            )
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                _guard_stream(handler.stream_stream, rpc),
                handler.request_deserializer,
                handler.response_serializer,
            )
        return handler


def _metadata(context: aio.ServicerContext[Any, Any], key: str) -> str:
    for k, v in context.invocation_metadata() or ():
        if k == key and isinstance(v, str):
            return v
    return ""


def _code_name(context: aio.ServicerContext[Any, Any]) -> str:
    code = context.code()
    return code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"


def _guard_stream(inner: Callable[..., Any], rpc: str) -> Callable[..., Any]:
    """Wrap a streaming handler in the style it is written in, which grpc.aio tells apart.

    An async generator yields its replies; a coroutine writes them with `context.write()`
    (grpc_health's Watch does): iterating over the latter would fail every call.
    """
    if inspect.isasyncgenfunction(inner):

        async def generator(request: Any, context: aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            try:
                async for item in inner(request, context):
                    yield item
            except aio.AbortError:
                raise
            except Exception as exc:
                await _abort(context, rpc, exc)

        return generator

    async def writer(request: Any, context: aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await inner(request, context)
        except aio.AbortError:
            raise
        except Exception as exc:
            await _abort(context, rpc, exc)

    return writer
