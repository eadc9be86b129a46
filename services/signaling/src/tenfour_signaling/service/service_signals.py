"""Signals the service itself sends into a room (publish again, mute requested): relayed like a
participant's, under the service's own sender counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tenfour_signaling.domain import SignalPayload
from tenfour_signaling.domain.records import Delivery, StoredRoom
from tenfour_signaling.service.writer import RoomWriter, expire_at
from tenfour_signaling.wire import signal_event

__all__ = ["tell_present"]

_SERVICE_SENDER = "~sfu"  # the per-sender counter the service's own signals use


async def tell_present(
    writer: RoomWriter,
    clock: Callable[[], datetime],
    stored: StoredRoom,
    recipients: list[str],
    payload: SignalPayload,
) -> None:
    """Send ``payload`` to those of ``recipients`` still present, retrying on a concurrent change."""
    for _ in range(10):
        if not recipients:
            return
        event = signal_event(stored.room.session_id, payload, clock())
        sends = [Delivery(h, event) for h in recipients]
        relayed = await writer.store.relay(
            stored, _SERVICE_SENDER, None, sends, expire_at(stored.room, writer.times)
        )
        if relayed is not None:
            await writer.publish(stored.room.session_id, sends, relayed.seqs)
            return
        stored = await writer.fresh(stored.room.appointment_id)
        recipients = [h for h in recipients if (s := stored.room.seat_by_handle(h)) and s.is_present]
