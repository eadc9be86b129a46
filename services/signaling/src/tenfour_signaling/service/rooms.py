"""Room use cases: booking events in, joins and the waiting room, lifecycle events out.

Every change is "load, decide with the pure domain, commit if nobody changed the room
meanwhile" (retried on conflict); the commit stores the signals it sends and its lifecycle
events atomically, then the signals go out live and the outbox relay is woken.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour.signaling.v1.signaling_pb2 import SignalEvent
from tenfour_shared.auth.roles import Role as AuthRole
from tenfour_shared.errors import Aborted
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_signaling.adapters.live import LiveBus
from tenfour_signaling.adapters.room_store import Committed, Delivery, Rejected, RoomStore, StoredRoom
from tenfour_signaling.domain import (
    InvalidSignal,
    JoinDenial,
    JoinDenied,
    LeaveReason,
    NotFound,
    Participant,
    Role,
    Room,
    RoomStateError,
    Seat,
    Transition,
    admit,
    cancel,
    close_if_due,
    deliveries,
    end_session,
    join,
    join_denial,
    leave,
    remove,
)
from tenfour_signaling.domain.candidates import CANDIDATE_TYPES
from tenfour_signaling.service.lifecycle import connected_event, lifecycle_events
from tenfour_signaling.wire import signal_event

__all__ = ["Booking", "Caller", "Joined", "RoomTimes", "Rooms"]

log = logging.getLogger("tenfour.signaling.rooms")
Clock = Callable[[], datetime]
_CACHE_SIZE = 4096
_ATTEMPTS = 20
_MAX_SETUP = timedelta(minutes=10)
_PROVIDER_ROLES = frozenset({AuthRole.THERAPIST, AuthRole.PEER_SUPPORTER})
_OFFICER_ROLES = frozenset({AuthRole.OFFICER, AuthRole.PEER_SUPPORTER})  # a peer supporter is an officer


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal, as far as rooms care."""

    subject: str
    role: AuthRole
    agency_id: str | None


@dataclass(frozen=True, slots=True)
class Booking:
    appointment_id: str
    agency_id: str
    provider_id: str
    officer_ids: tuple[str, ...]
    start: datetime
    end: datetime
    urgent: bool


@dataclass(frozen=True, slots=True)
class RoomTimes:
    open_before: timedelta
    grace_after: timedelta
    retention: timedelta  # ended rooms stay readable (late resume, GetRoom) this long
    resume_window: timedelta


@dataclass(frozen=True, slots=True)
class Joined:
    room: Room
    seat: Seat
    resume_from_seq: int


def expire_at(room: Room, times: RoomTimes) -> datetime:
    last = room.closes_at if room.ended_at is None else min(room.closes_at, room.ended_at)
    return last + times.retention


def seat_for(room: Room, caller: Caller) -> Seat | None:
    """The caller's seat if their token fits it: subject, a role that fits the seat, same agency."""
    seat = room.seat_of(caller.subject)
    if seat is None:
        return None
    roles = _PROVIDER_ROLES if seat.participant.role.is_provider else _OFFICER_ROLES
    if caller.role not in roles:
        return None
    if caller.agency_id and room.agency_id and caller.agency_id != room.agency_id:
        return None
    return seat


def require_seat(room: Room, caller: Caller) -> Seat:
    seat = seat_for(room, caller)
    if seat is None:
        raise JoinDenied(JoinDenial.NOT_PARTICIPANT)
    return seat


def _participants(booking: Booking) -> list[Participant]:
    people = [Participant(subject=booking.provider_id, role=Role.THERAPIST)]
    people += [Participant(subject=o, role=Role.OFFICER) for o in dict.fromkeys(booking.officer_ids)]
    return people


class Rooms:
    def __init__(
        self, store: RoomStore, live: LiveBus, relay: OutboxRelay, times: RoomTimes, clock: Clock
    ) -> None:
        self._store = store
        self._live = live
        self._relay = relay
        self.times = times
        self.clock = clock
        self._cache: OrderedDict[str, StoredRoom] = OrderedDict()
        self._sessions: OrderedDict[str, str] = OrderedDict()

    # --- reading -----------------------------------------------------------------------------

    def _remember(self, stored: StoredRoom) -> StoredRoom:
        key = stored.room.appointment_id
        known = self._cache.get(key)
        if known is None or known.version <= stored.version:
            self._cache[key] = stored
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._cache[key]

    async def fresh(self, appointment_id: str) -> StoredRoom:
        stored = await self._store.get(appointment_id)
        if stored is None:
            self._cache.pop(appointment_id, None)
            raise NotFound("no session for this appointment")
        return self._remember(stored)

    async def cached(self, appointment_id: str) -> StoredRoom:
        """Possibly stale; writes check the version, so a stale copy only costs a retry."""
        stored = self._cache.get(appointment_id)
        return stored if stored is not None else await self.fresh(appointment_id)

    async def appointment_for(self, session_id: str) -> str:
        appointment_id = self._sessions.get(session_id)
        if appointment_id is None:
            appointment_id = await self._store.appointment_for(session_id)
            if appointment_id is None:
                raise NotFound("no such session")
            self._sessions[session_id] = appointment_id
            while len(self._sessions) > _CACHE_SIZE:
                self._sessions.popitem(last=False)
        return appointment_id

    # --- the one write path ------------------------------------------------------------------

    async def _apply(
        self,
        appointment_id: str,
        change: Callable[[Room], Transition],
        *,
        must_be_absent: Sequence[str] = (),
        report_seq_of: str = "",
    ) -> tuple[Transition, Committed | None]:
        """Decide with ``change`` on the current room and commit; None when nothing changed."""
        for _ in range(_ATTEMPTS):
            stored = await self.fresh(appointment_id)
            t = change(stored.room)
            if t.room == stored.room and not t.events:
                return t, None
            sends = [
                Delivery(handle, signal_event(t.room.session_id, payload, self.clock()))
                for handle, payload in deliveries(t)
            ]
            result = await self._store.commit(
                stored,
                t.room,
                expire_at(t.room, self.times),
                sends,
                lifecycle_events(t),
                must_be_absent,
                report_seq_of,
            )
            if isinstance(result, Rejected):
                if result.reason == "exists":
                    return Transition(stored.room, stored.room), None
                continue
            self._remember(result.stored)
            await self.publish(t.room.session_id, sends, result.seqs)
            if t.events:
                await self._relay.notify(appointment_id)
            return t, result
        raise Aborted("the session changed too often; try again")

    async def publish(self, session_id: str, sends: Sequence[Delivery], seqs: Sequence[int]) -> None:
        for delivery, seq in zip(sends, seqs, strict=True):
            stamped = SignalEvent()
            stamped.CopyFrom(delivery.event)
            stamped.seq = seq
            await self._live.publish(session_id, delivery.recipient, stamped.SerializeToString())

    # --- booking events ----------------------------------------------------------------------

    async def book(self, booking: Booking) -> None:
        """Create the room of a booked appointment, or bring an existing one up to date."""
        now = self.clock()
        stored = await self._store.get(booking.appointment_id)
        if stored is None:
            room = Room.from_appointment(
                booking.appointment_id,
                _participants(booking),
                booking.start,
                booking.end,
                now=now,
                urgent=booking.urgent,
                agency_id=booking.agency_id,
                open_before=self.times.open_before,
                grace_after=self.times.grace_after,
            )
            if room.closes_at <= now:
                log.info("booking already over: no room", extra={"appointment_id": booking.appointment_id})
                return
            await self._store.index_session(room, expire_at(room, self.times))
            await self._store.mark_closing(room.appointment_id, room.closes_at)
            created = await self._store.commit(None, room, expire_at(room, self.times))
            if isinstance(created, Committed):
                self._remember(created.stored)
                log.info("room created", extra={"appointment_id": booking.appointment_id})
                return
        await self._update(booking)

    async def _update(self, booking: Booking) -> None:
        def change(room: Room) -> Transition:
            if room.ended_at is not None:
                return Transition(room, room)
            after = room.with_participants(_participants_keeping_roles(room, booking))
            if (after.start, after.end) != (booking.start, booking.end):
                after = after.reschedule(booking.start, booking.end, now=self.clock())
            return Transition(room, after)

        try:
            t, _ = await self._apply(booking.appointment_id, change)
        except RoomStateError:
            log.warning("cannot move a live session", extra={"appointment_id": booking.appointment_id})
            return
        if t.room.ended_at is None:
            await self._store.index_session(t.room, expire_at(t.room, self.times))
            await self._store.mark_closing(t.room.appointment_id, t.room.closes_at)

    async def cancel(self, appointment_id: str) -> None:
        if await self._store.get(appointment_id) is None:
            return
        await self._apply(appointment_id, lambda room: cancel(room, self.clock()))
        await self._store.unmark_closing(appointment_id)
        await self._store.unmark_occupied(appointment_id)

    # --- participants ------------------------------------------------------------------------

    async def join(self, caller: Caller, appointment_id: str, *, relay_only: bool) -> Joined:
        now = self.clock()
        seat = require_seat((await self.fresh(appointment_id)).room, caller)

        def change(room: Room) -> Transition:
            seat = require_seat(room, caller)
            reason = join_denial(room, caller.subject, now)
            if reason is not None:
                raise JoinDenied(reason)
            role = seat.participant.role
            if role.is_provider and caller.role is AuthRole.PEER_SUPPORTER:
                role = Role.PEER_SUPPORTER  # bookings do not say which kind of provider
            updated = seat.model_copy(
                update={
                    "participant": seat.participant.model_copy(update={"role": role}),
                    "relay_only": relay_only,
                }
            )
            ready = room.with_seat(updated)
            if seat.is_present:
                # A fresh client while the old one still counts as present: peers drop it first.
                gone = leave(ready, caller.subject, now, LeaveReason.REJOINED)
                back = join(gone.room, caller.subject, now)
                return Transition(room, back.room, gone.events + back.events)
            entered = join(ready, caller.subject, now)
            return Transition(room, entered.room, entered.events)

        # Before the commit: a sweeper must not time out someone who has not subscribed yet.
        await self._store.touch_connection(appointment_id, seat.handle, self.times.resume_window)
        await self._store.mark_occupied(appointment_id)
        t, committed = await self._apply(appointment_id, change, report_seq_of=seat.handle)
        assert committed is not None  # a join always changes the room
        first = [s for d, s in zip(deliveries(t), committed.seqs, strict=True) if d[0] == seat.handle]
        resume_from = first[0] - 1 if first else committed.reported_seq
        return Joined(t.room, t.room.require_seat(caller.subject), resume_from)

    async def leave(self, caller: Caller, session_id: str) -> None:
        appointment_id = await self.appointment_for(session_id)
        seat = require_seat((await self.fresh(appointment_id)).room, caller)
        await self._apply(appointment_id, lambda room: leave(room, caller.subject, self.clock()))
        await self._store.drop_connection(appointment_id, seat.handle)

    async def admit(self, caller: Caller, appointment_id: str, handle: str) -> Room:
        t, _ = await self._apply(appointment_id, lambda r: admit(r, _actor(r, caller), handle, self.clock()))
        return t.room

    async def remove(self, caller: Caller, appointment_id: str, handle: str) -> Room:
        t, _ = await self._apply(appointment_id, lambda r: remove(r, _actor(r, caller), handle, self.clock()))
        await self._store.drop_connection(appointment_id, handle)
        return t.room

    async def end(self, caller: Caller, appointment_id: str) -> Room:
        t, _ = await self._apply(appointment_id, lambda r: end_session(r, _actor(r, caller), self.clock()))
        await self._store.unmark_closing(appointment_id)
        await self._store.unmark_occupied(appointment_id)
        return t.room

    async def report_connection(
        self, caller: Caller, session_id: str, candidate_type: str, setup: timedelta
    ) -> None:
        if candidate_type not in CANDIDATE_TYPES:
            raise InvalidSignal("candidate_type must be host, srflx, prflx or relay")
        if not timedelta(0) < setup <= _MAX_SETUP:
            raise InvalidSignal("setup_time must be positive and at most 10 minutes")
        appointment_id = await self.appointment_for(session_id)
        room = (await self.fresh(appointment_id)).room
        seat = require_seat(room, caller)
        if not seat.is_present:
            raise RoomStateError("join the session first")
        event = connected_event(room, seat, candidate_type, setup, self.clock())
        await self._store.stage_events(appointment_id, [event])
        await self._relay.notify(appointment_id)

    # --- periodic work -----------------------------------------------------------------------

    async def sweep(self) -> None:
        """Close rooms whose window passed; let go of participants whose stream is gone."""
        now = self.clock()
        for appointment_id in await self._store.due(now):
            stored = await self._store.get(appointment_id)
            if stored is not None and stored.room.ended_at is None:
                if stored.room.closes_at > now:  # rescheduled meanwhile
                    await self._store.mark_closing(appointment_id, stored.room.closes_at)
                    continue
                await self._apply(appointment_id, lambda room: close_if_due(room, now))
            await self._store.unmark_closing(appointment_id)
            await self._store.unmark_occupied(appointment_id)
        for appointment_id in await self._store.occupied():
            await self._time_out_absent(appointment_id, now)

    async def _time_out_absent(self, appointment_id: str, now: datetime) -> None:
        stored = await self._store.get(appointment_id)
        if stored is None or stored.room.ended_at is not None:
            # Only final rooms leave the index: a concurrent join could not re-add a live one.
            await self._store.unmark_occupied(appointment_id)
            return
        present = [s for s in stored.room.seats if s.is_present]
        alive = await self._store.connected(appointment_id, [s.handle for s in present])
        for seat in present:
            if seat.handle not in alive:
                _, done = await self._apply(
                    appointment_id,
                    _timed_out(seat.participant.subject, now),
                    # Atomically re-checked: a stream that resumed meanwhile keeps its seat.
                    must_be_absent=[self._store.connection_key(appointment_id, seat.handle)],
                )
                if done is not None:
                    log.info("participant timed out", extra={"appointment_id": appointment_id})


def _timed_out(subject: str, now: datetime) -> Callable[[Room], Transition]:
    return lambda room: leave(room, subject, now, LeaveReason.TIMED_OUT)


def _actor(room: Room, caller: Caller) -> str:
    """The caller's subject once their token fits their seat (domain checks they are the provider)."""
    return require_seat(room, caller).participant.subject


def _participants_keeping_roles(room: Room, booking: Booking) -> list[Participant]:
    """The booking's people, reusing existing participants (handles, learnt provider kind)."""
    out = []
    for fresh in _participants(booking):
        seat = room.seat_of(fresh.subject)
        out.append(seat.participant if seat is not None else fresh)
    return out
