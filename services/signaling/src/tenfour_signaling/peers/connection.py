"""An aiortc peer connection driven by our signaling port: the part callers and echo share."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

from tenfour_signaling.domain import (
    Answer,
    Bye,
    ClientPayload,
    EndOfCandidates,
    IceCandidate,
    IceServer,
    Offer,
    OutboundSignal,
    Renegotiate,
    SignalEnvelope,
    SignalPayload,
    parse_candidate,
)

from .rtc import incoming_sdp, outgoing_sdp, rtc_configuration
from .signaling import SignalingPort

__all__ = ["SignaledPeer"]


class SignaledPeer:
    """Owns one RTCPeerConnection; ``start()`` pumps signals from the port until bye or close.

    aiortc gathers every candidate before it produces an offer or answer (no trickle), so the
    SDP carries the candidates; incoming trickled candidates (from browsers) are still accepted.
    """

    def __init__(
        self,
        signaling: SignalingPort | None,
        ice_servers: Sequence[IceServer],
        *,
        relay_only: bool = False,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.signaling = signaling
        self.relay_only = relay_only
        self.clock = clock
        self.pc = RTCPeerConnection(rtc_configuration(ice_servers, relay_only=relay_only))
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.started_at: float | None = None  # offer created (caller) or received (callee)
        self.connected_at: float | None = None
        self.notices: list[SignalPayload] = []  # presence/heartbeat signals, for the UI layer
        self.remote: str | None = None  # the other peer's handle, once known
        self._pump: asyncio.Task[None] | None = None
        self.pc.on("connectionstatechange", self._on_connection_state)

    async def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected" and self.connected_at is None:
            self.connected_at = self.clock()
            self.connected.set()
        elif state in ("failed", "closed"):
            self.closed.set()

    def start(self) -> None:
        if self.signaling is None:
            raise RuntimeError("this peer has no signaling port")
        if self._pump is None:
            self._pump = asyncio.create_task(self._receive_loop())

    async def send(self, payload: ClientPayload) -> None:
        if self.signaling is not None:
            signal = OutboundSignal(
                session_id=self.signaling.session_id, recipient=self.remote, payload=payload
            )
            await self.signaling.send(signal)

    async def send_offer(self) -> None:
        self.started_at = self.started_at or self.clock()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.send(Offer(sdp=outgoing_sdp(self.pc.localDescription.sdp, relay_only=self.relay_only)))

    async def accept_offer(self, sdp: str) -> str:
        """Apply a remote offer and return our answer SDP (also usable without signaling)."""
        self.started_at = self.started_at or self.clock()
        offer = RTCSessionDescription(sdp=incoming_sdp(sdp, relay_only=self.relay_only), type="offer")
        await self.pc.setRemoteDescription(offer)
        await self.before_answer()
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return outgoing_sdp(self.pc.localDescription.sdp, relay_only=self.relay_only)

    async def before_answer(self) -> None:
        """Hook: add local tracks after the offer is applied and before answering."""

    async def _receive_loop(self) -> None:
        assert self.signaling is not None
        while (envelope := await self.signaling.receive()) is not None:
            if await self._handle(envelope):
                break
        await self.close(send_bye=False)

    async def _handle(self, envelope: SignalEnvelope) -> bool:
        """Apply one signal; True when the call is over."""
        if envelope.sender is not None:
            self.remote = self.remote or envelope.sender
        match envelope.payload:
            case Offer(sdp=sdp):
                await self.send(Answer(sdp=await self.accept_offer(sdp)))
            case Answer(sdp=sdp):
                answer = RTCSessionDescription(
                    sdp=incoming_sdp(sdp, relay_only=self.relay_only), type="answer"
                )
                await self.pc.setRemoteDescription(answer)
            case IceCandidate() as candidate:
                await self._add_candidate(candidate)
            case EndOfCandidates():
                await self.pc.addIceCandidate(None)
            case Renegotiate():
                await self.send_offer()
            case Bye():
                return True
            case payload:
                # ice_restart is not supported by aiortc: the caller rejoins instead.
                self.notices.append(payload)
        return False

    async def _add_candidate(self, signal: IceCandidate) -> None:
        if self.relay_only and parse_candidate(signal.candidate).type != "relay":
            return
        candidate = candidate_from_sdp(signal.candidate.removeprefix("a=").split(":", 1)[1])
        candidate.sdpMid = signal.sdp_mid
        candidate.sdpMLineIndex = signal.sdp_mline_index
        await self.pc.addIceCandidate(candidate)

    async def close(self, *, send_bye: bool = True) -> None:
        """Hang up: tell the other side (best effort), close media and the port."""
        if send_bye and self.pc.connectionState != "closed":
            with contextlib.suppress(ConnectionError):
                await self.send(Bye(reason_code="hung_up"))
        await self.pc.close()
        self.closed.set()
        pump, self._pump = self._pump, None
        if pump is not None and pump is not asyncio.current_task():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        if self.signaling is not None:
            await self.signaling.close()
