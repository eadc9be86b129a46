"""Pre-call check: an echo peer that reflects the caller's media and answers data-channel pings.

The caller learns, in well under a minute, whether camera and network work: round-trip time,
loss from RTCP receiver reports, and the candidate type (host / srflx / relay) ICE chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiortc import MediaStreamTrack, RTCDataChannel
from aiortc.contrib.media import MediaRelay
from aiortc.stats import RTCInboundRtpStreamStats, RTCRemoteInboundRtpStreamStats

from tenfour_signaling.domain import IceServer

from .client import PeerClient
from .connection import SignaledPeer
from .rtc import selected_candidate_pair
from .signaling import SignalingPort

__all__ = ["EchoPeer", "EchoReport", "run_echo_check"]

_PING, _PONG = "ping ", "pong "


class EchoPeer(SignaledPeer):
    """Answers one offer; every received track is sent straight back, pings become pongs.

    Usable over a signaling port (``start()``) or directly via ``accept_offer(sdp)``, which is
    what a PreCallCheck RPC needs (offer SDP in, answer SDP out).
    """

    def __init__(
        self,
        signaling: SignalingPort | None,
        ice_servers: Sequence[IceServer],
        *,
        relay_only: bool = False,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(signaling, ice_servers, relay_only=relay_only, clock=clock)
        self._relay = MediaRelay()
        # "track" fires inside setRemoteDescription, so the reflected track is in the answer.
        self.pc.on("track", self._reflect)
        self.pc.on("datachannel", self._serve_pings)

    def _reflect(self, track: MediaStreamTrack) -> None:
        self.pc.addTrack(self._relay.subscribe(track))

    def _serve_pings(self, channel: RTCDataChannel) -> None:
        def on_message(message: Any) -> None:
            if isinstance(message, str) and message.startswith(_PING):
                channel.send(_PONG + message.removeprefix(_PING))

        channel.on("message", on_message)


@dataclass(frozen=True, slots=True)
class EchoReport:
    rtt_ms: float | None  # median data-channel round trip
    pings_sent: int
    pongs_received: int
    rtcp_rtt_ms: float | None  # from RTCP receiver reports, when one arrived in time
    packet_loss: float | None  # fraction of our video packets the echo peer reported lost
    candidate_type: str | None  # the local side of the selected pair: host | srflx | prflx | relay
    frames_echoed: int


async def _rtcp_figures(client: PeerClient, wait: float) -> tuple[float | None, float | None]:
    """(RTT ms, loss fraction) from the first RTCP receiver report, polling up to ``wait`` s.

    aiortc sends a receiver report every 0.5-1.5 s, so allow that long for one to show up.
    """
    deadline = client.clock() + wait
    while True:
        stats = (await client.pc.getStats()).values()
        remote = [s for s in stats if isinstance(s, RTCRemoteInboundRtpStreamStats)]
        if remote:
            lost = sum(max(s.packetsLost, 0) for s in stats if isinstance(s, RTCInboundRtpStreamStats))
            received = sum(s.packetsReceived for s in stats if isinstance(s, RTCInboundRtpStreamStats))
            echoed_loss = lost / (lost + received) if lost + received else 0.0
            # aiortc leaves roundTripTime None until a report echoes one of its sender reports.
            rtt: float | None = remote[0].roundTripTime
            return (None if rtt is None else rtt * 1000), float(max(remote[0].fractionLost, echoed_loss))
        if client.clock() >= deadline:
            return None, None
        await asyncio.sleep(0.1)


async def run_echo_check(
    client: PeerClient, *, pings: int = 10, interval: float = 0.05, rtcp_wait: float = 2.0
) -> EchoReport:
    """Ping the echo peer over ``client``'s (connected) data channel and read its stats.

    Bound the whole check with ``asyncio.timeout`` in the caller; pings lost count as lost.
    """
    sent: dict[str, float] = {}
    rtts: list[float] = []
    all_back = asyncio.Event()

    def on_pong(text: str) -> None:
        if text.startswith(_PONG) and (at := sent.pop(text.removeprefix(_PONG), None)) is not None:
            rtts.append((client.clock() - at) * 1000)
            if len(rtts) == pings:
                all_back.set()

    client.on_message(on_pong)
    await client.channel_open.wait()
    for n in range(pings):
        sent[str(n)] = client.clock()
        client.send_text(f"{_PING}{n}")
        await asyncio.sleep(interval)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(1.0):
            await all_back.wait()
    rtcp_rtt, loss = await _rtcp_figures(client, rtcp_wait)
    pair = selected_candidate_pair(client.pc)
    return EchoReport(
        rtt_ms=statistics.median(rtts) if rtts else None,
        pings_sent=pings,
        pongs_received=len(rtts),
        rtcp_rtt_ms=rtcp_rtt,
        packet_loss=loss,
        candidate_type=None if pair is None else pair[0],
        frames_echoed=client.frames_received,
    )
