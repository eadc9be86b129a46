"""Pre-call check: an aiortc echo peer answers the caller's offer and reflects its media.

The caller measures round-trip time, loss and the candidate type on its side (see
``peers.run_echo_check``). Each echo peer is bounded: answering has a timeout, the peer hangs
up after ``max_seconds`` at the latest, and only a few run at once per instance, because aiortc
costs real CPU per peer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from tenfour_shared.errors import DependencyDown, Throttled
from tenfour_signaling.domain import IceServer, InvalidSignal, Offer
from tenfour_signaling.peers import EchoPeer

__all__ = ["EchoAnswer", "PreCallChecks"]

log = logging.getLogger("tenfour.signaling.precall")
ANSWER_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class EchoAnswer:
    check_id: str
    answer_sdp: str
    max_seconds: float


class PreCallChecks:
    def __init__(
        self, ice_servers: Callable[[], tuple[IceServer, ...]], max_seconds: float, max_concurrent: int
    ) -> None:
        self._ice_servers = ice_servers
        self._max_seconds = max_seconds
        self._max_concurrent = max_concurrent
        self._running: dict[str, asyncio.Task[None]] = {}

    @property
    def running(self) -> int:
        return len(self._running)

    async def answer(self, offer_sdp: str) -> EchoAnswer:
        offer = Offer(sdp=offer_sdp)  # validates size and shape; never echoed
        if len(self._running) >= self._max_concurrent:
            raise Throttled("too many pre-call checks at once here; try again shortly")
        check_id = secrets.token_urlsafe(12)
        peer = EchoPeer(None, self._ice_servers())
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                answer = await peer.accept_offer(offer.sdp)
        except BaseException as exc:
            await peer.close(send_bye=False)
            if isinstance(exc, TimeoutError):
                raise DependencyDown("the echo peer could not answer in time") from None
            if isinstance(exc, Exception):  # aiortc's parse errors may quote the SDP: not kept
                raise InvalidSignal("the offer could not be answered") from None
            raise
        self._running[check_id] = asyncio.create_task(self._hang_up_later(check_id, peer))
        log.info("pre-call check started", extra={"count": len(self._running)})
        return EchoAnswer(check_id, answer, self._max_seconds)

    async def _hang_up_later(self, check_id: str, peer: EchoPeer) -> None:
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._max_seconds):
                    await peer.closed.wait()
        finally:
            self._running.pop(check_id, None)
            await peer.close(send_bye=False)

    async def close_all(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
