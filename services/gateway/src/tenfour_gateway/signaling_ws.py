"""`GET /api/signaling/ws?session_id=…&last_seen_seq=…`: a WebSocket over Subscribe + Send.

Server → client text frames:
  {"event": SignalEvent}                                 every event of the Subscribe stream
  {"ack": {"client_msg_id", "accepted_seq", "duplicate"}}  a send went through
  {"nack": {"client_msg_id", "error": {code, message, fields}}}
  {"error": {code, message, fields}}                     the stream failed; the socket closes
Client → server text frames: a SendRequest as JSON (session_id may be left out).

Resume: after a drop, reconnect with last_seen_seq = the last non-zero seq received; the
signaling service replays what was missed (for 30 s), on any gateway instance. The close code
tells the client what to do: 4401 refresh the token then resume, 4409 join again, 1012 resume.
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

from tenfour.signaling.v1 import signaling_pb2, signaling_pb2_grpc
from tenfour_gateway import auth
from tenfour_gateway.api import Api, BadJson, parse_into, to_json
from tenfour_gateway.backends import rpc_of
from tenfour_gateway.errors import error_body, error_response, from_rpc_error

__all__ = ["CLOSE_CODES", "signaling_socket"]

log = logging.getLogger("tenfour.gateway.ws")

# gRPC failure of the stream -> WebSocket close code (4000-4999 are ours to define).
CLOSE_CODES: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.UNAUTHENTICATED: 4401,
    grpc.StatusCode.PERMISSION_DENIED: 4403,
    grpc.StatusCode.NOT_FOUND: 4404,
    grpc.StatusCode.FAILED_PRECONDITION: 4409,
    grpc.StatusCode.OUT_OF_RANGE: 4409,
    grpc.StatusCode.INVALID_ARGUMENT: 4400,
    grpc.StatusCode.UNAVAILABLE: 1012,
    grpc.StatusCode.CANCELLED: 1012,
}
_MAX_FRAME = 96 * 1024  # an SDP is at most 64 KiB
_REFUSAL_WAIT = 1.0


async def signaling_socket(api: Api, request: web.Request) -> web.StreamResponse:
    refused = api.csrf(request, websocket=True)
    if refused is not None:
        return refused
    token, _ = auth.access_token(request)
    if not token:
        return error_response(grpc.StatusCode.UNAUTHENTICATED, "Please sign in again.")
    session_id = request.query.get("session_id", "")
    try:
        last_seen = int(request.query.get("last_seen_seq", "0"))
    except ValueError:
        return error_response(grpc.StatusCode.INVALID_ARGUMENT, "", {"last_seen_seq": "must be a number"})
    metadata = tuple(api.metadata(request, token))
    stub = signaling_pb2_grpc.SignalingServiceStub(api.backends.channel("signaling"))
    call = stub.Subscribe(
        signaling_pb2.SubscribeRequest(session_id=session_id, last_seen_seq=last_seen), metadata=metadata
    )
    # Fail before the upgrade when the stream is refused outright (bad token, not a participant),
    # so the client gets a plain HTTP error it can read; a quiet stream is upgraded after a moment.
    first = asyncio.create_task(_first_event(call))
    await asyncio.wait({first}, timeout=_REFUSAL_WAIT)
    if first.done() and isinstance(first.result(), grpc.RpcError):
        failure = first.result()
        assert isinstance(failure, grpc.RpcError)
        status, body = from_rpc_error(failure)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    ws = web.WebSocketResponse(
        heartbeat=api.settings.websocket_heartbeat_seconds, max_msg_size=_MAX_FRAME, compress=False
    )
    await ws.prepare(request)
    sends: set[asyncio.Task[None]] = set()
    pump = asyncio.create_task(_pump(call, ws, first))
    try:
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                if frame.type is WSMsgType.ERROR:
                    break
                continue
            task = asyncio.create_task(_send(api, ws, metadata, session_id, frame.data))
            sends.add(task)
            task.add_done_callback(sends.discard)
            if pump.done():
                break
    finally:
        call.cancel()
        pump.cancel()
        first.cancel()
        for task in list(sends):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(pump, *sends, return_exceptions=True)
        if not ws.closed:
            await ws.close(code=1012, message=b"resume")
    return ws


async def _first_event(call: Any) -> signaling_pb2.SignalEvent | grpc.RpcError | None:
    """The stream's first event (None when it ended empty), or its failure."""
    try:
        event = await call.read()
    except grpc.RpcError as exc:
        return exc
    if event is aio.EOF:
        return None
    assert isinstance(event, signaling_pb2.SignalEvent)
    return event


async def _pump(
    call: Any,
    ws: web.WebSocketResponse,
    first: asyncio.Task[signaling_pb2.SignalEvent | grpc.RpcError | None],
) -> None:
    code, reason = 1012, b"resume"
    try:
        head = await first
        if isinstance(head, grpc.RpcError):
            raise head
        if head is None:
            return
        await ws.send_str(json.dumps({"event": to_json(head)}))
        # read() only: grpc.aio forbids mixing it with `async for` on one call.
        while (event := await call.read()) is not aio.EOF:
            await ws.send_str(json.dumps({"event": to_json(event)}))
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


async def _send(api: Api, ws: web.WebSocketResponse, metadata: Any, session_id: str, data: str) -> None:
    client_msg_id = ""
    try:
        body = json.loads(data)
        if isinstance(body, dict):
            client_msg_id = str(body.get("client_msg_id", ""))[:128]
            body.setdefault("session_id", session_id)
        message = parse_into(body, signaling_pb2.SendRequest())
        reply = await api.backends.call(rpc_of("signaling", "Send"), message, metadata)
        out: dict[str, Any] = {"ack": {"client_msg_id": client_msg_id, **to_json(reply)}}
    except (ValueError, BadJson) as exc:
        message_text = exc.message if isinstance(exc, BadJson) else "not valid JSON"
        out = {
            "nack": {
                "client_msg_id": client_msg_id,
                "error": error_body(grpc.StatusCode.INVALID_ARGUMENT, message_text),
            }
        }
    except grpc.RpcError as exc:
        _, body = from_rpc_error(exc)
        out = {"nack": {"client_msg_id": client_msg_id, "error": body}}
    with contextlib.suppress(ConnectionError, RuntimeError):
        if not ws.closed:
            await ws.send_str(json.dumps(out))
