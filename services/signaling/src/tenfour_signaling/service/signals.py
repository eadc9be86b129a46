"""Signal relay: unary sends in, one sequenced stream per participant out, resumable anywhere.

A stream replays from the Redis buffer what the client has not seen, then follows the live NATS
feed; a gap in seqs (a message NATS dropped, or two instances publishing out of order) is
filled from the buffer, and each heartbeat also checks the buffer, so nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from tenfour.signaling.v1.signaling_pb2 import SignalEvent
from tenfour_shared.errors import ConcurrentChange
from tenfour_signaling.domain import (
    Answer,
    ClientPayload,
    DomainError,
    Heartbeat,
    IceCandidate,
    IceSettings,
    InvalidSignal,
    JoinDenial,
    JoinDenied,
    MustRejoin,
    MustRejoinSignal,
    NotFound,
    Offer,
    OutboundSignal,
    Presence,
    Room,
    RoomState,
    RoomStateError,
    Seat,
    filter_sdp_candidates,
    parse_candidate,
    plan_resume,
    seat_relay_only,
)
from tenfour_signaling.domain.records import Delivery, Relayed
from tenfour_signaling.service.access import Caller, require_seat
from tenfour_signaling.service.ports import LiveFeed, LiveSignals
from tenfour_signaling.service.writer import RoomWriter, expire_at
from tenfour_signaling.wire import signal_event

__all__ = ["Signals"]

_RELAY = frozenset({"relay"})
_STOP = b""  # put into a feed's queue to end its stream (shutdown)


def _relay_only(payload: ClientPayload) -> ClientPayload:
    """What a relay-only participant may reveal: relay candidates, without the related address."""
    match payload:
        case Offer(sdp=sdp):
            return Offer(sdp=filter_sdp_candidates(sdp, _RELAY, hide_related=True))
        case Answer(sdp=sdp):
            return Answer(sdp=filter_sdp_candidates(sdp, _RELAY, hide_related=True))
        case IceCandidate(candidate=line):
            if parse_candidate(line).type != "relay":
                raise InvalidSignal("this participant may send relay candidates only")
            hidden = filter_sdp_candidates("a=" + line.removeprefix("a="), _RELAY, hide_related=True)
            return payload.model_copy(update={"candidate": hidden.removeprefix("a=")})
    return payload


def _ends_stream(event: SignalEvent, handle: str) -> bool:
    kind = event.WhichOneof("body")
    if kind in ("session_ended", "must_rejoin"):
        return True
    return kind == "participant_left" and event.participant_left.participant_id == handle


def _route(room: Room, caller: Caller, recipient: str | None, now: datetime) -> tuple[Seat, list[str]]:
    """The sender's seat and the handles a signal goes to; raises if it may not be sent."""
    seat = require_seat(room, caller)
    if room.state_at(now) is RoomState.ENDED:
        raise RoomStateError("the session has ended")
    if seat.presence is not Presence.ADMITTED:
        raise RoomStateError("you are not in the call (waiting, or not joined)")
    others = [s.handle for s in room.seats if s.presence is Presence.ADMITTED and s.handle != seat.handle]
    if recipient is not None:
        if recipient not in others:
            raise NotFound("that participant is not in the call")
        return seat, [recipient]
    if not others:
        raise RoomStateError("nobody else is in the call yet")
    return seat, others


class Signals:
    def __init__(
        self,
        writer: RoomWriter,
        live: LiveSignals,
        ice: IceSettings | None,
        heartbeat_seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self._writer = writer
        self._store = writer.store
        self._live = live
        self._ice = ice
        self._heartbeat = heartbeat_seconds
        self._clock = clock
        self._feeds: set[LiveFeed] = set()
        self._closing = False

    async def send(self, caller: Caller, signal: OutboundSignal) -> Relayed:
        appointment_id = await self._writer.appointment_for(signal.session_id)
        stored = await self._writer.cached(appointment_id)
        for _ in range(20):
            now = self._clock()
            try:
                seat, recipients = _route(stored.room, caller, signal.recipient, now)
            except DomainError:
                latest = await self._writer.fresh(appointment_id)
                if latest.version == stored.version:
                    raise  # refused on the current room, not on a stale copy
                stored = latest
                continue
            payload = (
                _relay_only(signal.payload)
                if seat_relay_only(self._ice, seat, stored.room.agency_id)
                else signal.payload
            )
            event = signal_event(stored.room.session_id, payload, now, sender=seat.handle)
            sends = [Delivery(handle, event) for handle in recipients]
            relayed = await self._store.relay(
                stored, seat.handle, signal.client_msg_id, sends, expire_at(stored.room, self._writer.times)
            )
            if relayed is None:  # the room changed since we looked: authorize again
                stored = await self._writer.fresh(appointment_id)
                continue
            if not relayed.duplicate:
                await self._writer.publish(stored.room.session_id, sends, relayed.seqs)
            return relayed
        raise ConcurrentChange("the session changed too often; try again")

    async def stream(self, caller: Caller, session_id: str, last_seen_seq: int) -> AsyncIterator[SignalEvent]:
        """Everything after ``last_seen_seq``, then live signals and heartbeats (seq 0)."""
        appointment_id = await self._writer.appointment_for(session_id)
        room = (await self._writer.fresh(appointment_id)).room
        seat = require_seat(room, caller)
        if seat.presence is Presence.REMOVED:
            raise JoinDenied(JoinDenial.REMOVED)
        if seat.entered_at is None:
            raise RoomStateError("join the session first")
        handle = seat.handle
        window = self._writer.times.resume_window
        active = seat.is_present and room.ended_at is None
        feed = await self._live.subscribe(session_id, handle)  # before reading: nothing slips between
        self._feeds.add(feed)
        try:
            if active:
                await self._store.touch_connection(appointment_id, handle, window)
            sent = last_seen_seq
            caught_up = await self._catch_up(session_id, appointment_id, handle, sent)
            for event in caught_up:
                yield event
                sent = max(sent, event.seq)
                if _ends_stream(event, handle):
                    return
            if not active:
                yield self._unsequenced(session_id, MustRejoinSignal(reason_code="not_in_session"))
                return
            loop = asyncio.get_running_loop()
            next_beat = loop.time() + self._heartbeat
            while not self._closing:
                try:
                    async with asyncio.timeout(max(0.0, next_beat - loop.time())):
                        data = await feed.queue.get()
                except TimeoutError:
                    next_beat = loop.time() + self._heartbeat
                    yield self._unsequenced(session_id, Heartbeat())
                    await self._store.touch_connection(appointment_id, handle, window)
                    if await self._store.last_seq(appointment_id, handle) <= sent:
                        continue
                    batch = await self._catch_up(session_id, appointment_id, handle, sent)
                else:
                    if data == _STOP:
                        return
                    event = SignalEvent.FromString(data)
                    if event.seq <= sent:
                        continue  # already replayed
                    batch = (
                        [event]
                        if event.seq == sent + 1
                        else await self._catch_up(session_id, appointment_id, handle, sent)
                    )
                for event in batch:
                    if event.seq <= sent:
                        continue
                    yield event
                    sent = event.seq
                    if _ends_stream(event, handle):
                        return
        finally:
            self._feeds.discard(feed)
            await feed.close()

    async def _catch_up(
        self, session_id: str, appointment_id: str, handle: str, sent: int
    ) -> list[SignalEvent]:
        last, held = await self._store.held(appointment_id, handle)
        planned = plan_resume(last, held, sent)
        if isinstance(planned, MustRejoin):
            code = "gap_expired" if sent <= last else "unknown_seq"
            return [self._unsequenced(session_id, MustRejoinSignal(reason_code=code))]
        return list(planned)

    def _unsequenced(self, session_id: str, payload: Heartbeat | MustRejoinSignal) -> SignalEvent:
        return signal_event(session_id, payload, self._clock())

    def close_streams(self) -> None:
        """Shutdown: end every open stream now, so clients resume on another instance."""
        self._closing = True
        for feed in list(self._feeds):
            feed.queue.put_nowait(_STOP)
