"""`GET /api/live`: a WebSocket per signed-in browser tab over notifications' Stream RPC.

Server → client text frames:
  {"ready": {}}                              the stream is live; after a reconnect, reload what
                                             the page shows (nothing is replayed)
  {"event": Notification}                    something happened for this user (proto JSON)
  {"withdrawn": Withdrawn}                   an earlier notification no longer applies
  {"error": {code, message, fields}}         the stream failed; the socket then closes
The stream's heartbeats are not forwarded (the WebSocket has its own pings). The client sends
nothing. Close codes as on the signaling socket: 4401 refresh the token then reconnect, 4403
stop, 1012 reconnect (backend restarting or gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import grpc
from aiohttp import WSMsgType, web
from grpc import aio

from tenfour.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from tenfour_gateway import auth
from tenfour_gateway.api import Api, to_json
from tenfour_gateway.errors import error_response, from_rpc_error
from tenfour_gateway.signaling_ws import CLOSE_CODES

__all__ = ["live_socket"]

log = logging.getLogger("tenfour.gateway.live")
# The service answers `ready` at once; a refusal (bad token) comes as fast. Waiting this long
# for either lets a refusal be a plain HTTP error the page can read.
_REFUSAL_WAIT = 2.0
_MAX_CLIENT_FRAME = 1024


async def live_socket(api: Api, request: web.Request) -> web.StreamResponse:
    refused = api.csrf(request, websocket=True)
    if refused is not None:
        return refused
    token, _ = auth.access_token(request)
    if not token:
        return error_response(grpc.StatusCode.UNAUTHENTICATED, "Please sign in again.")
    stub = notifications_pb2_grpc.NotificationServiceStub(api.backends.channel("notifications"))
    call = stub.Stream(notifications_pb2.StreamRequest(), metadata=tuple(api.metadata(request, token)))
    first = asyncio.create_task(_read(call))
    await asyncio.wait({first}, timeout=_REFUSAL_WAIT)
    if first.done() and isinstance(first.result(), grpc.RpcError):
        failure = first.result()
        assert isinstance(failure, grpc.RpcError)
        status, body = from_rpc_error(failure)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    ws = web.WebSocketResponse(
        heartbeat=api.settings.websocket_heartbeat_seconds, max_msg_size=_MAX_CLIENT_FRAME, compress=False
    )
    await ws.prepare(request)
    pump = asyncio.create_task(_pump(call, ws, first))
    try:
        async for frame in ws:  # nothing is expected from the client; this waits for its close
            if frame.type is WSMsgType.ERROR or pump.done():
                break
    finally:
        call.cancel()
        pump.cancel()
        first.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(pump, return_exceptions=True)
        if not ws.closed:
            await ws.close(code=1012, message=b"reconnect")
    return ws


async def _read(call: Any) -> notifications_pb2.StreamEvent | grpc.RpcError | None:
    """The stream's next event (None when it ended), or its failure."""
    try:
        event = await call.read()
    except grpc.RpcError as exc:
        return exc
    if event is aio.EOF:
        return None
    assert isinstance(event, notifications_pb2.StreamEvent)
    return event


def frame_of(event: notifications_pb2.StreamEvent) -> str | None:
    """The WebSocket text frame for one stream event (None: nothing to send)."""
    which = event.WhichOneof("event")
    if which == "notification":
        return json.dumps({"event": to_json(event.notification)})
    if which == "withdrawn":
        return json.dumps({"withdrawn": to_json(event.withdrawn)})
    if which == "ready":
        return json.dumps({"ready": {}})
    return None  # heartbeat, or a kind this gateway does not know yet


async def _pump(
    call: Any,
    ws: web.WebSocketResponse,
    first: asyncio.Task[notifications_pb2.StreamEvent | grpc.RpcError | None],
) -> None:
    code, reason = 1012, b"reconnect"
    try:
        head = await first
        while head is not None:
            if isinstance(head, grpc.RpcError):
                raise head
            text = frame_of(head)
            if text is not None:
                await ws.send_str(text)
            head = await _read(call)
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.CANCELLED and ws.closed:
            return
        _, body = from_rpc_error(exc)
        code = CLOSE_CODES.get(exc.code(), 1011)
        reason = exc.code().name.encode()[:100]
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_str(json.dumps({"error": body}))
    except (ConnectionError, RuntimeError):
        return  # the browser went away
    finally:
        if not ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.close(code=code, message=reason)
