"""One decoding path for every RPC of every service: bad bodies become INVALID_ARGUMENT.

gRPC runs a handler's request deserializer before any of our code; when it raises (invalid
UTF-8 in a string, corrupt bytes) grpc.aio answers UNKNOWN and logs a traceback. This innermost
interceptor swaps in a deserializer that never raises: it returns the message, or a `Rejected`
carrying field violations (also for what `wire_checks` refuses after decoding). The handler
wrapper raises InvalidInput for a `Rejected` after authentication and authorization have run
(outer interceptors), so an anonymous caller learns nothing about a protected RPC's schema.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError, Message
from grpc import aio

from tenfour_shared.errors import FieldViolation, InvalidInput
from tenfour_shared.wire_checks import locate_undecodable, violations

__all__ = ["Rejected", "RequestGuard", "decode"]


@dataclass(frozen=True, slots=True)
class Rejected:
    violations: tuple[FieldViolation, ...]


def decode(message_class: type[Message], data: bytes) -> Message | Rejected:
    """`data` as a `message_class`, or why no handler may see it."""
    try:
        message = message_class.FromString(data)
    except (DecodeError, RecursionError, ValueError) as exc:
        return Rejected((FieldViolation(locate_undecodable(message_class.DESCRIPTOR, data), _why(exc)),))
    problems = violations(message)
    return Rejected(tuple(problems)) if problems else message


def _why(exc: Exception) -> str:
    text = str(exc)
    if "UTF-8" in text:
        return "is not valid UTF-8 text"
    return "the request body could not be decoded (corrupt or truncated protobuf)"


def _input_class(method: str) -> type[Message] | None:
    """The request message class of "/package.Service/Method", from the descriptor pool."""
    service, _, name = method.lstrip("/").rpartition("/")
    try:
        found = descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]
    except KeyError:
        return None
    input_type: Descriptor = found.input_type
    return message_factory.GetMessageClass(input_type)


def _reject(request: Any) -> None:
    if isinstance(request, Rejected):
        raise InvalidInput(request.violations)


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        _reject(request)
        yield request


def _guard(behavior: Callable[..., Any], streaming_in: bool) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(behavior):

        async def generator(request: Any, context: aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            if streaming_in:
                request = _checked(request)
            else:
                _reject(request)
            async for item in behavior(request, context):
                yield item

        return generator

    async def call(request: Any, context: aio.ServicerContext[Any, Any]) -> Any:
        if streaming_in:
            request = _checked(request)
        else:
            _reject(request)
        result = behavior(request, context)
        return await result if inspect.isawaitable(result) else result

    return call


class RequestGuard(aio.ServerInterceptor):
    """Innermost interceptor: safe deserializers for every method found in the descriptor pool."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler: Any = await continuation(handler_call_details)
        if handler is None or handler.request_deserializer is None:
            return handler
        message_class = _input_class(str(handler_call_details.method))
        if message_class is None:
            return handler

        def deserialize(data: bytes) -> Message | Rejected:
            return decode(message_class, data)

        if handler.unary_unary is not None:
            factory, behavior = grpc.unary_unary_rpc_method_handler, handler.unary_unary
        elif handler.unary_stream is not None:
            factory, behavior = grpc.unary_stream_rpc_method_handler, handler.unary_stream
        elif handler.stream_unary is not None:
            factory, behavior = grpc.stream_unary_rpc_method_handler, handler.stream_unary
        else:
            factory, behavior = grpc.stream_stream_rpc_method_handler, handler.stream_stream
        return factory(
            _guard(behavior, bool(handler.request_streaming)), deserialize, handler.response_serializer
        )
