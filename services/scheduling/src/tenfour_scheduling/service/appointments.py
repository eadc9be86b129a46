"""Reading appointments, and every status change after booking (cancel, and the lifecycle
driven by signaling and identity events). Each change is one compare-and-set script in the
provider's slot with its event, then mirrored to the officers' calendars."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus as Status
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain import (
    OCCUPYING,
    AppointmentStatus,
    TransitionRefused,
    after_officer_joined,
    after_session_ended,
    check_transition,
    is_late_cancellation,
)
from tenfour_scheduling.domain.records import StoredAppointment, to_ms
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Appointments, Officers
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import ConcurrentChange, InvalidInput, NotFound, WrongState
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["AppointmentService", "from_proto_status", "to_proto_status"]

ATTEMPTS = 8
_REASON = re.compile(r"^[a-z_]{0,40}$")
_STATUS: dict[AppointmentStatus, Status.ValueType] = {
    AppointmentStatus.PROPOSED: Status.APPOINTMENT_STATUS_PROPOSED,
    AppointmentStatus.BOOKED: Status.APPOINTMENT_STATUS_BOOKED,
    AppointmentStatus.ARRIVED: Status.APPOINTMENT_STATUS_ARRIVED,
    AppointmentStatus.FULFILLED: Status.APPOINTMENT_STATUS_FULFILLED,
    AppointmentStatus.CANCELLED: Status.APPOINTMENT_STATUS_CANCELLED,
    AppointmentStatus.NOSHOW: Status.APPOINTMENT_STATUS_NOSHOW,
    AppointmentStatus.ENTERED_IN_ERROR: Status.APPOINTMENT_STATUS_ENTERED_IN_ERROR,
    AppointmentStatus.WAITLIST: Status.APPOINTMENT_STATUS_WAITLIST,
}
_FROM = {int(v): k for k, v in _STATUS.items()}
Decision = Callable[[Appointment], Appointment | None]


def to_proto_status(status: AppointmentStatus) -> Status.ValueType:
    return _STATUS[status]


def from_proto_status(value: int) -> AppointmentStatus:
    return _FROM[value]


def occupying(appointment: Appointment) -> bool:
    return from_proto_status(appointment.status) in OCCUPYING


def _start(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


def _end(a: Appointment) -> datetime:
    return a.time.end.ToDatetime(tzinfo=UTC)


def as_officer(caller: Principal) -> bool:
    return caller.role in (Role.OFFICER, Role.PEER_SUPPORTER)


def as_provider(caller: Principal) -> bool:
    return caller.role in (Role.THERAPIST, Role.PEER_SUPPORTER)


def visible(caller: Principal, a: Appointment) -> bool:
    """Officers see their own appointments, providers theirs; nobody else sees any."""
    return (as_officer(caller) and caller.subject in a.officer_ids) or (
        as_provider(caller) and caller.subject == a.provider_id
    )


class AppointmentService:
    def __init__(self, store: Appointments, officers: Officers, clock: Clock) -> None:
        self._store = store
        self._officers = officers
        self._clock = clock

    async def get(self, caller: Principal, appointment_id: str) -> Appointment:
        stored = await self._store.get(appointment_id)
        if stored is None or not visible(caller, stored.appointment):
            raise NotFound("no such appointment")  # the same answer whether it exists or not
        return stored.appointment

    async def list(self, caller: Principal, window: Interval | None, include_past: bool) -> list[Appointment]:
        since = window.start if window is not None else (None if include_past else self._clock())
        until = window.end if window is not None else None
        ids: set[str] = set()
        if as_officer(caller):
            ids.update(await self._store.officer_index(caller.subject, since, until))
        if as_provider(caller):
            ids.update(await self._store.provider_index(caller.subject, since, until))
        found = [s.appointment for s in await self._store.get_many(sorted(ids))]
        shown = [
            a
            for a in found
            if visible(caller, a)
            and (since is None or _end(a) > since)
            and (until is None or _start(a) < until)
        ]
        return sorted(shown, key=lambda a: (_start(a), a.appointment_id))

    async def cancel(self, caller: Principal, appointment_id: str, reason_code: str) -> Appointment:
        if not _REASON.match(reason_code):
            raise InvalidInput.single("reason_code", "must be at most 40 characters a-z and _")
        stored = await self._store.get(appointment_id)
        if stored is None or not visible(caller, stored.appointment):
            raise NotFound("no such appointment")
        by_officer = as_officer(caller) and caller.subject in stored.appointment.officer_ids
        group = stored.appointment.session_type == common.SESSION_TYPE_GROUP
        if group and by_officer and caller.subject != stored.appointment.provider_id:
            return await self.leave_group(caller.subject, appointment_id, reason_code or "seat_released")
        policy = await self._officers.policy(stored.appointment.agency_id)
        now = self._clock()

        def decide(a: Appointment) -> Appointment | None:
            if a.status == Status.APPOINTMENT_STATUS_CANCELLED:
                return None  # cancelling twice is a no-op
            if _start(a) <= now:
                raise WrongState("the session has started; it ends as fulfilled or no-show")
            late = by_officer and is_late_cancellation(_start(a), now, policy.late_cancel_window)
            default = "officer_cancelled" if by_officer else "provider_cancelled"
            return self._moved(a, AppointmentStatus.CANCELLED, reason_code or default, now, late=late)

        changed = await self.change(appointment_id, decide)
        if changed is None:
            raise NotFound("no such appointment")
        return changed

    async def leave_group(self, officer_id: str, appointment_id: str, reason: str) -> Appointment:
        """A seated officer gives up their seat (the group goes on for the others): a
        compare-and-set on the group's version with the officer removed, its event, then the
        officer's calendar is freed."""
        for _ in range(ATTEMPTS):
            stored = await self._store.get(appointment_id)
            if stored is None or officer_id not in stored.appointment.officer_ids:
                raise NotFound("no such appointment")
            a = stored.appointment
            if a.status != Status.APPOINTMENT_STATUS_BOOKED:
                raise WrongState("only a seat in a booked group session can be given up")
            now = self._clock()
            if _start(a) <= now:
                raise WrongState("the session has started; it ends as fulfilled or no-show")
            i = list(a.officer_ids).index(officer_id)
            new = Appointment()
            new.CopyFrom(a)
            del new.officer_ids[i]
            if i < len(new.officer_day_kinds):
                del new.officer_day_kinds[i]
            new.version = a.version + 1
            new.updated_at.CopyFrom(timestamp(now))
            new.status_reason = reason
            event = ev.AppointmentStatusChanged(appointment=new, previous_status=a.status, reason_code=reason)
            envelope = build(event, subject=appointment_id, when=now)
            if await self._store.seat(new, stored.version, 0, envelope) == "ok":
                await self._store.sync(officer_id, new, False)
                await self.mirror(new)
                return new
        raise ConcurrentChange("this group session is changing too fast; retry")

    def moved(self, a: Appointment, target: AppointmentStatus, reason: str, now: datetime) -> Appointment:
        """``a`` in status ``target`` (FAILED_PRECONDITION when that transition is not allowed)."""
        return self._moved(a, target, reason, now)

    def _moved(
        self, a: Appointment, target: AppointmentStatus, reason: str, now: datetime, *, late: bool = False
    ) -> Appointment:
        try:
            check_transition(from_proto_status(a.status), target)
        except TransitionRefused as exc:
            raise WrongState(str(exc)) from None
        new = Appointment()
        new.CopyFrom(a)
        new.status = to_proto_status(target)
        new.status_reason = reason
        new.late_cancellation = late
        new.version = a.version + 1
        new.updated_at.CopyFrom(timestamp(now))
        return new

    async def change(self, appointment_id: str, decide: Decision) -> Appointment | None:
        """Apply ``decide`` to the current record until it sticks; None when there is no record.

        ``decide`` returns None for "nothing to do" (then the current record is returned).
        """
        for _ in range(ATTEMPTS):
            stored = await self._store.get(appointment_id)
            if stored is None:
                return None
            new = decide(stored.appointment)
            if new is None:
                return stored.appointment
            event = ev.AppointmentStatusChanged(
                appointment=new, previous_status=stored.appointment.status, reason_code=new.status_reason
            )
            envelope = build(event, subject=appointment_id, when=self._clock())
            if await self._store.transition(new, stored.version, occupying(new), envelope):
                await self.mirror(new)
                return new
        raise ConcurrentChange("this appointment is changing too fast; retry")

    async def withdraw(self, appointment_id: str, reason: str) -> Appointment | None:
        """Cancel a booked appointment on the system's behalf (e.g. a series rolled back)."""

        def decide(a: Appointment) -> Appointment | None:
            if a.status != Status.APPOINTMENT_STATUS_BOOKED:
                return None
            return self._moved(a, AppointmentStatus.CANCELLED, reason, self._clock())

        return await self.change(appointment_id, decide)

    async def mirror(self, appointment: Appointment, *, moved: bool = False) -> None:
        """Bring every officer's calendar in line with this version (idempotent); after a move
        also drop the claim that reserved the new time."""
        claim = f"{appointment.appointment_id}>{to_ms(_start(appointment))}" if moved else ""
        held = occupying(appointment)
        for officer_id in appointment.officer_ids:
            # The request that wrote this version confirmed it in this process (a booking's
            # phase 3): nothing to re-apply. Another process, or this one after a restart,
            # does not know it and syncs, as after a crash before phase 3.
            if not moved and self._store.synced(
                officer_id, appointment.appointment_id, appointment.version, held
            ):
                continue
            await self._store.sync(officer_id, appointment, held, drop_member=claim)

    # -- lifecycle from other services' events ----------------------------------------------

    async def officer_joined(self, appointment_id: str, participant_id: str) -> None:
        def decide(a: Appointment) -> Appointment | None:
            if participant_id not in a.officer_ids:
                return None
            target = after_officer_joined(from_proto_status(a.status))
            return None if target is None else self._moved(a, target, "officer_joined", self._clock())

        await self.change(appointment_id, decide)

    async def session_ended(self, appointment_id: str, any_officer_joined: bool) -> None:
        def decide(a: Appointment) -> Appointment | None:
            target = after_session_ended(from_proto_status(a.status), any_officer_joined)
            if target is None:
                return None
            reason = "session_ended" if target is AppointmentStatus.FULFILLED else "no_officer_joined"
            return self._moved(a, target, reason, self._clock())

        await self.change(appointment_id, decide)

    async def user_deactivated(self, user_id: str) -> int:
        """Cancel the user's future appointments, as officer and as provider; how many."""
        now = self._clock()
        ids = set(await self._store.officer_index(user_id, now, None))
        ids.update(await self._store.provider_index(user_id, now, None))
        cancelled = 0
        for stored in await self._store.get_many(sorted(ids)):
            a = stored.appointment
            if a.session_type == common.SESSION_TYPE_GROUP and user_id != a.provider_id:
                # Only the seat goes (if still held); the group goes on for the others.
                with contextlib.suppress(WrongState, NotFound):
                    await self.leave_group(user_id, a.appointment_id, "user_deactivated")
                    cancelled += 1
            elif await self._cancel_for_deactivation(stored, now):
                cancelled += 1
        return cancelled

    async def _cancel_for_deactivation(self, stored: StoredAppointment, now: datetime) -> bool:
        def decide(a: Appointment) -> Appointment | None:
            if _start(a) <= now or a.status not in (
                Status.APPOINTMENT_STATUS_BOOKED,
                Status.APPOINTMENT_STATUS_PROPOSED,
                Status.APPOINTMENT_STATUS_WAITLIST,
            ):
                return None
            return self._moved(a, AppointmentStatus.CANCELLED, "user_deactivated", now)

        changed = await self.change(stored.appointment.appointment_id, decide)
        return changed is not None and changed.version != stored.version
