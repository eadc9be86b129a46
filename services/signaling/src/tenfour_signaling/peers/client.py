"""A test/native participant: sends a test-pattern camera and a data channel, records what it gets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiortc import MediaStreamTrack, RTCDataChannel
from aiortc.mediastreams import MediaStreamError

from tenfour_signaling.domain import IceServer

from .connection import SignaledPeer
from .media import TestPatternTrack
from .rtc import CandidatePair, selected_candidate_pair
from .signaling import SignalingPort

__all__ = ["DATA_CHANNEL_LABEL", "PeerClient", "PeerReport"]

DATA_CHANNEL_LABEL = "tenfour"


@dataclass(frozen=True, slots=True)
class PeerReport:
    frames_received: int
    messages: tuple[str, ...]
    candidate_pair: CandidatePair | None  # (local type, remote type)
    offer_to_connected: float | None  # seconds
    offer_to_first_frame: float | None  # seconds


class PeerClient(SignaledPeer):
    """Call with ``await call()``; or ``start()`` alone to answer an incoming offer."""

    def __init__(
        self,
        signaling: SignalingPort | None,
        ice_servers: Sequence[IceServer],
        *,
        relay_only: bool = False,
        send_video: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(signaling, ice_servers, relay_only=relay_only, clock=clock)
        self.send_video = send_video
        self.frames_received = 0
        self.first_frame_at: float | None = None
        self.messages: list[str] = []
        self.channel: RTCDataChannel | None = None
        self.channel_open = asyncio.Event()
        self._listeners: list[Callable[[str], None]] = []
        self._frame_seen = asyncio.Condition()
        self._message_seen = asyncio.Condition()
        self._readers: set[asyncio.Task[None]] = set()
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._adopt_channel)

    async def call(self) -> None:
        """Open the data channel, add the camera and send the offer."""
        self.started_at = self.clock()
        self._adopt_channel(self.pc.createDataChannel(DATA_CHANNEL_LABEL))
        if self.send_video:
            self.pc.addTrack(TestPatternTrack())
        if self.signaling is not None:
            self.start()
        await self.send_offer()

    async def before_answer(self) -> None:
        if self.send_video and not any(s.track for s in self.pc.getSenders()):
            self.pc.addTrack(TestPatternTrack())

    def _adopt_channel(self, channel: RTCDataChannel) -> None:
        self.channel = channel
        channel.on("open", self.channel_open.set)
        channel.on("message", self._on_message)
        if channel.readyState == "open":
            self.channel_open.set()

    def on_message(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    async def _on_message(self, message: Any) -> None:
        text = message if isinstance(message, str) else bytes(message).decode(errors="replace")
        self.messages.append(text)
        for listener in self._listeners:
            listener(text)
        async with self._message_seen:
            self._message_seen.notify_all()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            reader = asyncio.create_task(self._read_frames(track))
            self._readers.add(reader)
            reader.add_done_callback(self._readers.discard)

    async def _read_frames(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                self.frames_received += 1
                if self.first_frame_at is None:
                    self.first_frame_at = self.clock()
                async with self._frame_seen:
                    self._frame_seen.notify_all()

    def send_text(self, text: str) -> None:
        if self.channel is None or not self.channel_open.is_set():
            raise RuntimeError("the data channel is not open yet")
        self.channel.send(text)

    # No timeouts here: callers bound waits with ``asyncio.timeout``.
    async def wait_frames(self, count: int = 1) -> None:
        async with self._frame_seen:
            await self._frame_seen.wait_for(lambda: self.frames_received >= count)

    async def wait_message(self) -> str:
        seen = len(self.messages)
        async with self._message_seen:
            await self._message_seen.wait_for(lambda: len(self.messages) > seen)
        return self.messages[seen]

    async def wait_connected(self) -> None:
        await self.connected.wait()

    def report(self) -> PeerReport:
        start = self.started_at
        return PeerReport(
            frames_received=self.frames_received,
            messages=tuple(self.messages),
            candidate_pair=selected_candidate_pair(self.pc),
            offer_to_connected=None
            if start is None or self.connected_at is None
            else self.connected_at - start,
            offer_to_first_frame=None
            if start is None or self.first_frame_at is None
            else self.first_frame_at - start,
        )

    async def close(self, *, send_bye: bool = True) -> None:
        await super().close(send_bye=send_bye)
        for reader in list(self._readers):
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
