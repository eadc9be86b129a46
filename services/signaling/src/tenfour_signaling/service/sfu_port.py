"""The SFU as group media sees it (a Protocol): Janus's VideoRoom is the adapter behind it.

Feeds are named by participant handles, rooms by the signaling session id. ``instance`` is the
SFU instance's API address, chosen by signaling (least loaded) and recorded with the room.
"""

from __future__ import annotations

from typing import Protocol

from tenfour_signaling.domain.records import Leg, Published, SfuRoom, SfuUnavailable

__all__ = ["Leg", "Published", "SfuPort", "SfuRoom", "SfuUnavailable"]


class SfuPort(Protocol):
    async def create_room(self, room: SfuRoom, publishers: int) -> None:
        """Create the room (no error if it exists already)."""

    async def destroy_room(self, room: SfuRoom) -> None: ...

    async def publish(self, room: SfuRoom, feed: str, display: str, offer_sdp: str) -> tuple[Leg, str]:
        """Join as ``feed`` and publish; the answer SDP."""

    async def subscribe(self, room: SfuRoom, feed: str) -> tuple[Leg, str]:
        """A subscription to one feed; the SFU's offer SDP."""

    async def start(self, leg: Leg, answer_sdp: str) -> None: ...

    async def publishers(self, room: SfuRoom) -> list[Published]: ...

    async def kick(self, room: SfuRoom, feed: str) -> None: ...

    async def hang_up(self, leg: Leg) -> None:
        """Drop one media connection (and leave the room with it)."""

    async def wait_media_up(self, leg: Leg, timeout: float) -> bool:  # noqa: ASYNC109 - a deadline, not a cancel scope
        """Until the leg's media connection is up (True), or the timeout (False)."""

    async def healthy(self, instance: str) -> bool: ...
