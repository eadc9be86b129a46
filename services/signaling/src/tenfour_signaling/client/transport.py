"""The gRPC transport of the peers' SignalingPort: a Subscribe stream in, unary Sends out.

Given several service addresses it fails over: a broken stream (instance killed, network
blip, drain) is resumed on the next address with the last seq seen, and a send that could not
reach an instance is retried on the next with the same client_msg_id, so it is delivered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, TypeAlias

import grpc
from grpc import aio

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub
from tenfour_signaling import wire
from tenfour_signaling.domain import OutboundSignal, SignalEnvelope
from tenfour_signaling.peers import SignalingPort

if TYPE_CHECKING:
    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceAsyncStub

__all__ = ["GrpcSignaling", "SignalingError"]

log = logging.getLogger("tenfour.signaling.client")

# Failures worth another instance; anything else (denied, not found, invalid) is final.
_RETRYABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.ABORTED,
    }
)
Listener = Callable[[pb.SignalEvent], None]
Subscription: TypeAlias = "aio.UnaryStreamCall[pb.SubscribeRequest, pb.SignalEvent]"


class SignalingError(ConnectionError):
    """A signaling call failed for good (the peers treat it like a lost connection)."""

    def __init__(self, code: grpc.StatusCode | None, message: str) -> None:
        super().__init__(message)
        self.code = code


class GrpcSignaling(SignalingPort):
    def __init__(
        self,
        targets: Sequence[str],
        token: str,
        *,
        resume_window: float = 30.0,
        stale_after: float = 35.0,
        call_timeout: float = 10.0,
    ) -> None:
        if not targets:
            raise ValueError("at least one service address is needed")
        self._targets = list(targets)
        self._current = 0
        self._channels: dict[str, aio.Channel] = {}
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._resume_window = resume_window
        self._stale_after = stale_after  # no event, not even a heartbeat, for this long: reconnect
        self._call_timeout = call_timeout
        self._inbox: asyncio.Queue[SignalEnvelope | None] = asyncio.Queue()
        self._listeners: list[Listener] = []
        self._pump: asyncio.Task[None] | None = None
        self._call: Subscription | None = None
        self._closed = False
        self.joined: pb.JoinResponse | None = None
        self.last_seen_seq = 0
        self.resumes = 0  # how many times the stream was re-established
        self.ended: str | None = None  # why the stream ended for good (session_ended, must_rejoin, ...)

    # --- plumbing ------------------------------------------------------------------------------

    @property
    def target(self) -> str:
        return self._targets[self._current]

    def _stub(self) -> SignalingServiceAsyncStub:
        channel = self._channels.get(self.target)
        if channel is None:
            channel = self._channels[self.target] = aio.insecure_channel(self.target)
        return SignalingServiceStub(channel)

    def _fail_over(self) -> None:
        self._current = (self._current + 1) % len(self._targets)

    async def unary(self, method: str, request: object) -> object:
        """Call ``method`` on the current instance, moving to the next one while unavailable."""
        attempts = max(3, 2 * len(self._targets))
        for attempt in range(attempts):
            try:
                call = getattr(self._stub(), method)
                return await call(request, metadata=self._metadata, timeout=self._call_timeout)
            except aio.AioRpcError as exc:
                if exc.code() not in _RETRYABLE or attempt == attempts - 1:
                    raise SignalingError(exc.code(), f"{method}: {exc.details()}") from None
                self._fail_over()
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError("unreachable")

    def on_event(self, listener: Listener) -> None:
        """Called with every sequenced event before the peer sees it (presence, for the UI)."""
        self._listeners.append(listener)

    # --- the session -----------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        if self.joined is None:
            raise RuntimeError("join first")
        return self.joined.session_id

    @property
    def handle(self) -> str:
        if self.joined is None:
            raise RuntimeError("join first")
        return self.joined.participant_id

    async def join(self, appointment_id: str, *, relay_only: bool = False) -> pb.JoinResponse:
        reply = await self.unary("Join", pb.JoinRequest(appointment_id=appointment_id, relay_only=relay_only))
        assert isinstance(reply, pb.JoinResponse)
        self.joined = reply
        self.last_seen_seq = reply.resume_from_seq
        self.start()
        return reply

    def start(self) -> None:
        if self._pump is None:
            self._pump = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        give_up_at: float | None = None
        try:
            while not self._closed:
                try:
                    if await self._read_stream():
                        return
                    give_up_at = None  # the server ended a healthy stream (drain): resume at once
                except aio.AioRpcError as exc:
                    if exc.code() not in _RETRYABLE:
                        self.ended = f"refused: {exc.code().name}"
                        return
                except TimeoutError:
                    pass  # stale: nothing heard for too long
                now = loop.time()
                give_up_at = give_up_at or now + self._resume_window
                if now > give_up_at:
                    self.ended = "unreachable"
                    return
                self._fail_over()
                self.resumes += 1
                await asyncio.sleep(0.05)
        finally:
            self._inbox.put_nowait(None)

    async def _read_stream(self) -> bool:
        """Follow one Subscribe call; True when the session is over for this client."""
        request = pb.SubscribeRequest(session_id=self.session_id, last_seen_seq=self.last_seen_seq)
        call = self._stub().Subscribe(request, metadata=self._metadata)
        self._call = call
        try:
            while True:
                async with asyncio.timeout(self._stale_after):
                    event = await call.read()
                if event is aio.EOF:
                    return False
                assert isinstance(event, pb.SignalEvent)
                kind = event.WhichOneof("body")
                if kind == "must_rejoin":
                    self.ended = f"must_rejoin: {event.must_rejoin.reason_code}"
                    return True
                if event.seq == 0 or event.seq <= self.last_seen_seq:
                    continue  # heartbeat, or already seen
                self.last_seen_seq = event.seq
                for listener in self._listeners:
                    listener(event)
                self._inbox.put_nowait(wire.envelope_from_event(event, self.handle))
                if kind == "session_ended":
                    self.ended = f"session_ended: {event.session_ended.reason_code}"
                    return True
                if kind == "participant_left" and event.participant_left.participant_id == self.handle:
                    self.ended = f"removed: {event.participant_left.reason_code}"
                    return True
        finally:
            self._call = None
            call.cancel()

    def drop_stream(self) -> None:
        """Break the current stream as a flaky network would (tests, demos)."""
        if self._call is not None:
            self._call.cancel()

    async def send(self, signal: OutboundSignal) -> None:
        if self._closed:
            raise SignalingError(None, "signaling is closed")
        request = wire.request_from_outbound(signal, secrets.token_hex(12))
        await self.unary("Send", request)

    async def receive(self) -> SignalEnvelope | None:
        if self._closed and self._inbox.empty():
            return None
        return await self._inbox.get()

    async def report_connection(self, candidate_type: str, setup: timedelta) -> None:
        request = pb.ReportConnectionRequest(
            session_id=self.session_id, candidate_type=candidate_type, setup_time=wire.duration(setup)
        )
        await self.unary("ReportConnection", request)

    async def admit(self, participant_id: str) -> pb.RoomState:
        assert self.joined is not None
        request = pb.AdmitRequest(
            appointment_id=self.joined.room.appointment_id, participant_id=participant_id
        )
        reply = await self.unary("Admit", request)
        assert isinstance(reply, pb.RoomState)
        return reply

    async def close(self) -> None:
        """Leave the room (best effort) and stop; ``receive`` returns None from now on."""
        if self._closed:
            return
        self._closed = True
        if self.joined is not None:
            with contextlib.suppress(SignalingError):
                await self.unary("Leave", pb.LeaveRequest(session_id=self.session_id))
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        self._inbox.put_nowait(None)
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()
