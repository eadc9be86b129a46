"""One participant of a 1:1 session through the service: join, the waiting room, the call.

Convention shared with the web app: the provider admits whoever waits and then offers to
them (also to an officer who comes straight back in while the provider is present); the
officer answers. The service itself supports group meshes; this client drives one peer
connection at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_signaling import wire
from tenfour_signaling.client.transport import GrpcSignaling, SignalingError
from tenfour_signaling.peers import PeerClient

__all__ = ["SessionClient"]

log = logging.getLogger("tenfour.signaling.client")
_PROVIDERS = ("therapist", "peer_supporter")


class SessionClient:
    """Join with ``join()``; the call then sets itself up; ``await connected()`` to wait for media."""

    def __init__(
        self, targets: Sequence[str], token: str, *, auto_admit: bool = True, send_video: bool = True
    ) -> None:
        self.port = GrpcSignaling(targets, token)
        self.auto_admit = auto_admit
        self.send_video = send_video
        self.peer: PeerClient | None = None
        self.role = ""
        self.waiting_messages: list[str] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._called: set[str] = set()

    @property
    def is_provider(self) -> bool:
        return self.role in _PROVIDERS

    async def join(self, appointment_id: str, *, relay_only: bool = False) -> pb.JoinResponse:
        self.port.on_event(self._on_event)
        joined = await self.port.join(appointment_id, relay_only=relay_only)
        me = next(p for p in joined.room.participants if p.participant_id == joined.participant_id)
        self.role = me.role
        self.peer = PeerClient(
            self.port,
            wire.ice_servers_from_pb(list(joined.ice_servers)),
            relay_only=joined.relay_only,
            send_video=self.send_video,
        )
        self.peer.start()
        self._spawn(self._report_when_connected())
        if self.is_provider and self.auto_admit:
            for p in joined.room.participants:
                if p.state == "waiting":
                    self._spawn(self._admit(p.participant_id))
        return joined

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("session step failed", extra={"error_type": type(exc).__name__})

    def _on_event(self, event: pb.SignalEvent) -> None:
        kind = event.WhichOneof("body")
        if kind == "waiting":
            self.waiting_messages.append(event.waiting.message)
        elif kind == "participant_joined" and self.is_provider:
            joined = event.participant_joined
            if not joined.waiting:
                self._spawn(self._call(joined.participant_id))
            elif self.auto_admit:
                self._spawn(self._admit(joined.participant_id))

    async def _admit(self, participant_id: str) -> None:
        try:
            await self.port.admit(participant_id)
        except SignalingError as exc:
            log.warning("admit failed", extra={"code": exc.code.name if exc.code else ""})
            return
        await self._call(participant_id)

    async def _call(self, participant_id: str) -> None:
        """The provider offers to one participant, once per arrival."""
        assert self.peer is not None
        if participant_id in self._called:
            return
        self._called.add(participant_id)
        self.peer.remote = participant_id
        await self.peer.call()

    @property
    def appointment_id(self) -> str:
        assert self.port.joined is not None
        return self.port.joined.room.appointment_id

    async def _report_when_connected(self) -> None:
        """Tell the service what ICE chose and how long set-up took (for its lifecycle event)."""
        peer = self.peer
        assert peer is not None
        await peer.connected.wait()
        pair = peer.report().candidate_pair
        started, connected = peer.started_at, peer.connected_at
        if pair is None or started is None or connected is None:
            return
        with contextlib.suppress(SignalingError):
            await self.port.report_connection(pair[0], timedelta(seconds=max(connected - started, 0.001)))

    async def connected(self) -> PeerClient:
        assert self.peer is not None
        await self.peer.wait_connected()
        return self.peer

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.peer is not None:
            await self.peer.close()
        else:
            await self.port.close()
