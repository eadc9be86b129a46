"""The signaling port aiortc peers talk through, and an in-memory transport for tests.

Shaped like aiortc's ``BaseSignaling`` but carrying our typed signals, so a gRPC transport
(SendRequest unary + SignalEvent server stream) plugs in without touching the peers.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime

from tenfour_signaling.domain import OutboundSignal, Outbox, SignalEnvelope

__all__ = ["InMemorySignaling", "SignalingPort", "in_memory_pair"]


class SignalingPort(ABC):
    """One participant's connection to the signaling service."""

    @property
    @abstractmethod
    def session_id(self) -> str:
        """The signaling session this port belongs to (stamped on every outbound signal)."""

    @abstractmethod
    async def send(self, signal: OutboundSignal) -> None:
        """Hand one signal to the service for delivery."""

    @abstractmethod
    async def receive(self) -> SignalEnvelope | None:
        """The next signal addressed to us, in sequence order; None once the port is closed."""

    @abstractmethod
    async def close(self) -> None:
        """Stop: pending and later ``receive`` calls return None."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemorySignaling(SignalingPort):
    """One end of an in-process pair; stamps sequence numbers with the domain Outbox."""

    def __init__(self, session_id: str, handle: str, clock: Callable[[], datetime] = _utc_now) -> None:
        self._session_id = session_id
        self.handle = handle
        self._clock = clock
        self._inbox: asyncio.Queue[SignalEnvelope | None] = asyncio.Queue()
        self._outbox = Outbox(session_id=session_id, recipient=handle)
        self._peer: InMemorySignaling | None = None
        self._closed = False

    @property
    def session_id(self) -> str:
        return self._session_id

    def _deliver(self, signal: OutboundSignal, sender: str) -> None:
        if self._closed:
            return
        self._outbox, envelope = self._outbox.push(signal.payload, self._clock(), sender=sender)
        self._inbox.put_nowait(envelope)

    async def send(self, signal: OutboundSignal) -> None:
        peer = self._peer
        if self._closed or peer is None:
            raise ConnectionError("signaling is closed")
        if signal.recipient not in (None, peer.handle):
            raise ValueError("unknown recipient")
        peer._deliver(signal, sender=self.handle)

    async def receive(self) -> SignalEnvelope | None:
        if self._closed and self._inbox.empty():
            return None
        return await self._inbox.get()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._inbox.put_nowait(None)


def in_memory_pair(
    session_id: str = "in-memory-session",
    handles: tuple[str, str] = ("caller-handle", "callee-handle"),
) -> tuple[InMemorySignaling, InMemorySignaling]:
    """Two connected ports, as if both participants were joined to one room."""
    first, second = (InMemorySignaling(session_id, h) for h in handles)
    first._peer, second._peer = second, first
    return first, second
