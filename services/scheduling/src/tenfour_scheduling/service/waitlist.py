"""Waiting lists: officers wait for a provider (or any) within a window; a cancelled session's
time is offered to the first officer waiting for whom it fits, held as a WAITLIST appointment.

The hold goes through the booking transaction (``Book.book(held=True)``): every rule of a
booking is checked and the time is claimed atomically, so one time has one holder however
many officers wait. Accepting turns the hold into a booking; declining, or the hold running
out (``drive``, the worker), cancels it, and that cancellation offers the time to the next
officer waiting (scheduling's own consumer calls ``slot_freed``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import waitlist_pb2 as wpb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus as Status
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain import AppointmentStatus
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.program_ports import WaitlistProviders, WaitlistRecords
from tenfour_shared import errors
from tenfour_shared.calendar import SessionType

__all__ = ["HOLD", "WaitlistService"]

HOLD = timedelta(minutes=15)
MAX_AHEAD = timedelta(days=90)
MAX_WAITING = 5
_S = wpb.WaitlistState
_OPEN = (_S.WAITLIST_STATE_WAITING, _S.WAITLIST_STATE_OFFERED)
Change = Callable[[str, Callable[[Appointment], Appointment | None]], Awaitable[Appointment | None]]
Moved = Callable[[Appointment, AppointmentStatus, str, datetime], Appointment]


def _at(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


class WaitlistService:
    def __init__(
        self,
        store: WaitlistRecords,
        providers: WaitlistProviders,
        book: Book,
        change: Change,
        moved: Moved,
        clock: Clock,
        hold: timedelta = HOLD,
    ) -> None:
        self._store = store
        self._providers = providers
        self._book = book
        self._change = change
        self._moved = moved
        self._clock = clock
        self._hold = hold

    @property
    def providers(self) -> WaitlistProviders:
        return self._providers

    @property
    def store(self) -> WaitlistRecords:
        return self._store

    # -- the officer's side -----------------------------------------------------------------

    async def join(
        self, officer_id: str, agency_id: str, provider_id: str, start: datetime, end: datetime
    ) -> wpb.WaitlistEntry:
        now = self._clock()
        problems: list[errors.FieldViolation] = []
        if start < now:
            problems.append(errors.FieldViolation("window.start", "is in the past"))
        if end <= start:
            problems.append(errors.FieldViolation("window.end", "must be after the start"))
        elif end > now + MAX_AHEAD:
            problems.append(errors.FieldViolation("window.end", "must be at most 90 days ahead"))
        if problems:
            raise errors.InvalidInput(problems)
        if provider_id:
            profile = await self._providers.profile(provider_id)
            if profile is None or agency_id not in profile.agency_ids:
                raise errors.NotFound("no such provider serves your agency")
            if await self._providers.deactivated(provider_id):
                raise errors.WrongState("this provider is no longer taking bookings")
        waiting = [e for e in await self.mine(officer_id) if e.state in _OPEN]
        if len(waiting) >= MAX_WAITING:
            raise errors.WrongState(f"you are already waiting {MAX_WAITING} times; leave one first")
        entry = wpb.WaitlistEntry(
            entry_id=f"w{secrets.token_hex(8)}",
            officer_id=officer_id,
            agency_id=agency_id,
            provider_id=provider_id,
            state=_S.WAITLIST_STATE_WAITING,
            window=common.TimeRange(start=timestamp(start), end=timestamp(end)),
            created_at=timestamp(now),
        )
        if await self._store.replace(entry, b"") is None:
            raise errors.ConcurrentChange("the waiting list is changing; retry")
        return entry

    async def mine(self, officer_id: str) -> list[wpb.WaitlistEntry]:
        out = []
        for agency, entry_id in await self._store.officer_refs(officer_id):
            found = await self._store.get(agency, entry_id)
            if found is not None:
                out.append(self._expired_window(found[0]))
        return sorted(out, key=lambda e: -to_ms(_at(e.created_at)))

    def _expired_window(self, entry: wpb.WaitlistEntry) -> wpb.WaitlistEntry:
        if entry.state == _S.WAITLIST_STATE_WAITING and _at(entry.window.end) <= self._clock():
            shown = wpb.WaitlistEntry()
            shown.CopyFrom(entry)
            shown.state = _S.WAITLIST_STATE_EXPIRED
            return shown
        return entry

    async def _own(self, officer_id: str, agency_id: str, entry_id: str) -> tuple[wpb.WaitlistEntry, bytes]:
        found = await self._store.get(agency_id, entry_id)
        if found is None or found[0].officer_id != officer_id:
            raise errors.NotFound("no such waiting-list entry")
        return found

    async def leave(self, officer_id: str, agency_id: str, entry_id: str) -> None:
        entry, raw = await self._own(officer_id, agency_id, entry_id)
        if entry.state == _S.WAITLIST_STATE_OFFERED:
            await self.answer(officer_id, agency_id, entry_id, accept=False)
            entry, raw = await self._own(officer_id, agency_id, entry_id)
        if entry.state != _S.WAITLIST_STATE_WAITING:
            return
        await self._set(entry, raw, state=_S.WAITLIST_STATE_LEFT)

    async def answer(
        self, officer_id: str, agency_id: str, entry_id: str, *, accept: bool
    ) -> wpb.WaitlistEntry:
        entry, raw = await self._own(officer_id, agency_id, entry_id)
        now = self._clock()
        if entry.state != _S.WAITLIST_STATE_OFFERED:
            raise errors.WrongState("no time is held for you on this entry")
        if accept and _at(entry.offer_until) <= now:
            raise errors.WrongState("the time was held for 15 minutes and has been offered to someone else")
        # Claim the answer first: the expiry worker or a second answer then finds it taken.
        state = _S.WAITLIST_STATE_BOOKED if accept else _S.WAITLIST_STATE_DECLINED
        answered = await self._set(entry, raw, state=state)
        if answered is None:
            raise errors.ConcurrentChange("this offer is changing; look at it again")
        await self._store.unhold(agency_id, entry_id)

        def decide(a: Appointment) -> Appointment | None:
            if a.status != Status.APPOINTMENT_STATUS_WAITLIST:
                return None
            if accept:
                return self._moved(a, AppointmentStatus.BOOKED, "booked", now)
            return self._moved(a, AppointmentStatus.CANCELLED, "waitlist_declined", now)

        result = await self._change(entry.appointment_id, decide)
        if accept and (result is None or result.status != Status.APPOINTMENT_STATUS_BOOKED):
            # The hold was let go meanwhile (e.g. the provider cancelled it): say so, truthfully.
            stored = await self._store.get(agency_id, entry_id)
            if stored is not None:
                await self._set(stored[0], stored[1], state=_S.WAITLIST_STATE_EXPIRED)
            raise errors.WrongState("this time is no longer held for you")
        return answered

    async def _set(self, entry: wpb.WaitlistEntry, raw: bytes, **changes: object) -> wpb.WaitlistEntry | None:
        new = wpb.WaitlistEntry()
        new.CopyFrom(entry)
        for name, value in changes.items():
            if isinstance(value, common.TimeRange) or hasattr(value, "ToDatetime"):
                getattr(new, name).CopyFrom(value)
            else:
                setattr(new, name, value)
        stored = await self._store.replace(new, raw)
        return None if stored is None else new

    # -- a freed time, and holds that run out ---------------------------------------------

    async def slot_freed(self, appointment: Appointment) -> bool:
        """A cancelled individual session: offer its time to the first officer waiting for it
        for whom it fits; True when someone holds it now."""
        if (
            appointment.session_type != common.SESSION_TYPE_INDIVIDUAL
            or appointment.status != Status.APPOINTMENT_STATUS_CANCELLED
        ):
            return False
        start, end = _at(appointment.time.start), _at(appointment.time.end)
        now = self._clock()
        if start <= now:
            return False
        entries = sorted(
            await self._store.agency_entries(appointment.agency_id),
            key=lambda pair: (to_ms(_at(pair[0].created_at)), pair[0].entry_id),
        )
        for entry, raw in entries:
            if (
                entry.state != _S.WAITLIST_STATE_WAITING
                or entry.officer_id in appointment.officer_ids
                or (entry.provider_id and entry.provider_id != appointment.provider_id)
                or not _at(entry.window.start) <= start
                or end > _at(entry.window.end)
            ):
                continue
            try:
                held = await self._book.book(
                    officer_id=entry.officer_id,
                    agency_id=entry.agency_id,
                    provider_id=appointment.provider_id,
                    session_type=SessionType.INDIVIDUAL,
                    start=start,
                    idempotency_key=f"waitlist-{entry.entry_id}-{to_ms(start)}",
                    held=True,
                )
            except errors.DomainError:
                continue  # the time does not fit this officer (their rules, a clash): the next one
            until = now + self._hold
            profile = await self._providers.profile(appointment.provider_id)
            offered = await self._set(
                entry,
                raw,
                state=_S.WAITLIST_STATE_OFFERED,
                appointment_id=held.appointment_id,
                offered_time=held.time,
                offered_provider_id=held.provider_id,
                offered_provider_display_name=profile.display_name if profile is not None else "",
                offer_until=timestamp(until),
            )
            if offered is None:  # the officer left meanwhile: let the hold go (offers the next)
                await self._release(held.appointment_id, "waitlist_expired")
                return False
            await self._store.hold(entry.agency_id, entry.entry_id, to_ms(until))
            return True
        return False

    async def _release(self, appointment_id: str, reason: str) -> None:
        now = self._clock()

        def decide(a: Appointment) -> Appointment | None:
            if a.status != Status.APPOINTMENT_STATUS_WAITLIST:
                return None
            return self._moved(a, AppointmentStatus.CANCELLED, reason, now)

        await self._change(appointment_id, decide)

    async def drive(self) -> int:
        """Let every hold that ran out go (the next officer is then offered the time)."""
        now = self._clock()
        released = 0
        for agency, entry_id in await self._store.due_holds(to_ms(now)):
            found = await self._store.get(agency, entry_id)
            await self._store.unhold(agency, entry_id)
            if found is None or found[0].state != _S.WAITLIST_STATE_OFFERED:
                continue
            entry, raw = found
            if await self._set(entry, raw, state=_S.WAITLIST_STATE_EXPIRED) is None:
                continue  # answered meanwhile
            await self._release(entry.appointment_id, "waitlist_expired")
            released += 1
        return released
