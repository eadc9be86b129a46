"""An aiortc participant of a group session through the SFU (tests, benchmarks, native clients).

It publishes a test-pattern camera (and optionally a tone) once, and keeps one receiving
connection per other participant's feed, counting decoded frames per feed. Every SFU request
goes through signaling's gRPC API (PublishMedia, ListMedia, SubscribeMedia, AnswerMedia).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_signaling.domain import IceServer
from tenfour_signaling.peers.media import TestPatternTrack
from tenfour_signaling.peers.rtc import rtc_configuration

if TYPE_CHECKING:
    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceAsyncStub

__all__ = ["SfuParticipant"]

Metadata = Sequence[tuple[str, str]]


@dataclass
class _Receiving:
    pc: RTCPeerConnection
    frames: int = 0
    first_frame_at: float | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class SfuParticipant:
    def __init__(
        self,
        stub: SignalingServiceAsyncStub,
        metadata: Metadata,
        session_id: str,
        ice_servers: Sequence[IceServer] = (),
        *,
        relay_only: bool = False,
        size: tuple[int, int] = (160, 120),
    ) -> None:
        self._stub = stub
        self._md = metadata
        self.session_id = session_id
        self._ice = list(ice_servers)
        self._relay_only = relay_only
        self._size = size
        self.publisher: RTCPeerConnection | None = None
        self.receiving: dict[str, _Receiving] = {}
        self.started_at = time.perf_counter()
        self.display_name = ""
        self.resumes = 0

    def _pc(self) -> RTCPeerConnection:
        return RTCPeerConnection(rtc_configuration(self._ice, relay_only=self._relay_only))

    async def publish(self, display_name: str = "") -> None:
        self.display_name = display_name or self.display_name
        display_name = self.display_name
        pc = self._pc()
        pc.addTrack(TestPatternTrack(*self._size))
        pc.createDataChannel("chat")
        try:
            await pc.setLocalDescription(await pc.createOffer())
            request = pb.PublishMediaRequest(
                session_id=self.session_id, offer_sdp=pc.localDescription.sdp, display_name=display_name
            )
            reply = await self._stub.PublishMedia(request, metadata=self._md)
            await pc.setRemoteDescription(RTCSessionDescription(reply.answer_sdp, "answer"))
        except BaseException:
            await pc.close()
            raise
        if self.publisher is not None:
            await self.publisher.close()
        self.publisher = pc

    async def feeds(self) -> list[pb.MediaFeed]:
        reply = await self._stub.ListMedia(pb.ListMediaRequest(session_id=self.session_id), metadata=self._md)
        return list(reply.feeds)

    async def receive(self, participant_id: str) -> None:
        """(Re)subscribe to one participant's feed."""
        old = self.receiving.pop(participant_id, None)
        if old is not None:
            await self._close(old)
        reply = await self._stub.SubscribeMedia(
            pb.SubscribeMediaRequest(session_id=self.session_id, participant_id=participant_id),
            metadata=self._md,
        )
        pc = self._pc()
        state = _Receiving(pc)
        self.receiving[participant_id] = state

        @pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                state.tasks.append(asyncio.create_task(self._count(state, track)))

        await pc.setRemoteDescription(RTCSessionDescription(reply.offer_sdp, "offer"))
        pc.createDataChannel("ready")  # Janus forwards data only once a channel of ours is open
        await pc.setLocalDescription(await pc.createAnswer())
        await self._stub.AnswerMedia(
            pb.AnswerMediaRequest(
                session_id=self.session_id, participant_id=participant_id, answer_sdp=pc.localDescription.sdp
            ),
            metadata=self._md,
        )

    async def sync(self) -> list[str]:
        """Receive every feed now published (and drop the ones gone); the feeds received."""
        listed = [f.participant_id for f in await self.feeds()]
        for gone in set(self.receiving) - set(listed):
            await self._close(self.receiving.pop(gone))
        for feed in listed:
            if feed not in self.receiving:
                await self.receive(feed)
        return listed

    async def resume(self) -> None:
        """The SFU room moved (a service ``ice_restart``): publish again and receive afresh."""
        for state in list(self.receiving.values()):
            await self._close(state)
        self.receiving.clear()
        await self.publish()
        self.resumes += 1

    async def wait_feeds(self, count: int) -> None:
        """Sync until ``count`` feeds are received (new feeds show once their media is up)."""
        while len(await self.sync()) < count:  # noqa: ASYNC110 - polls the service, not a local flag
            await asyncio.sleep(0.2)

    async def _count(self, state: _Receiving, track: MediaStreamTrack) -> None:
        with contextlib.suppress(Exception):
            while True:
                await track.recv()
                state.frames += 1
                if state.first_frame_at is None:
                    state.first_frame_at = time.perf_counter()

    def frames(self) -> dict[str, int]:
        return {feed: r.frames for feed, r in self.receiving.items()}

    async def wait_frames(self, feeds: int, frames: int = 5) -> None:
        """Until ``feeds`` feeds have each decoded at least ``frames`` frames (callers time out)."""
        while sum(1 for n in self.frames().values() if n >= frames) < feeds:  # noqa: ASYNC110
            await asyncio.sleep(0.1)

    async def _close(self, state: _Receiving) -> None:
        for task in state.tasks:
            task.cancel()
        await state.pc.close()

    async def close(self) -> None:
        for state in list(self.receiving.values()):
            await self._close(state)
        self.receiving.clear()
        if self.publisher is not None:
            await self.publisher.close()

    def stats(self) -> dict[str, Any]:
        return {"frames": self.frames()}
