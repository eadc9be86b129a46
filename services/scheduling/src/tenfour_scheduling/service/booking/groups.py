"""Group sessions: a provider offers one (inside their hours for group sessions, re-checked by
the same commit step as Book), and officers take its seats (claimed as in Book, then a
compare-and-set on the group's version)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import interval_to_proto, timestamp
from tenfour_scheduling.domain import MAX_HORIZON, off_duty_windows
from tenfour_scheduling.domain.records import CLAIM_TTL_MS, to_ms
from tenfour_scheduling.service.booking.idempotency import Key, digest
from tenfour_scheduling.service.booking.transaction import (
    ATTEMPTS,
    Hold,
    Steps,
    Transaction,
    Wording,
    day_kind,
    refusal,
)
from tenfour_scheduling.service.checks import BookingProblem, placement
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions, provider_offer
from tenfour_scheduling.service.ports import Appointments, Facts
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import ConcurrentChange, InvalidInput, NotFound, WrongState
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["MAX_GROUP_CAPACITY", "MIN_GROUP_CAPACITY", "GroupSessions"]

MIN_GROUP_CAPACITY = 2
MAX_GROUP_CAPACITY = 8  # signaling's mesh holds 8 participants including the provider
_DAY = timedelta(days=1)
_SEAT_WORDING = Wording(
    expired="taking the seat took too long and was undone; retry",
    exhausted="this group session is changing too fast; retry",
)


def _problem(code: str, message: str) -> WrongState:
    return BookingProblem(code, message).error()


class GroupSessions:
    def __init__(
        self,
        tx: Transaction,
        store: Appointments,
        facts: Facts,
        expansions: Expansions,
        clock: Clock,
    ) -> None:
        self._tx = tx
        self._store = store
        self._facts = facts
        self._expansions = expansions
        self._clock = clock

    async def _only_agency(self, provider_id: str, start: datetime) -> str:
        """No agency named: the one agency the provider serves (the web page and CLI default)."""
        _, (snapshot,) = await self._facts.read(provider_id, "", Interval(start, start), [provider_id])
        served = list(snapshot.profile.agency_ids) if snapshot.profile is not None else []
        if len(served) != 1:
            raise InvalidInput.single("agency_id", "choose the agency whose officers may take seats")
        return served[0]

    async def offer(
        self,
        *,
        provider_id: str,
        agency_id: str,
        start: datetime,
        capacity: int,
        idempotency_key: str,
        training_course: str = "",
        topic_code: str = "",
    ) -> Appointment:
        """A group session the provider gives: inside their availability for group sessions,
        with buffers and caps re-checked atomically by the same commit step as Book. The key
        names the appointment, so a retry finds the first one. Nothing is claimed on an
        officer's calendar, so this is commit → retry only."""
        appointment_id = f"{provider_id}.{digest(provider_id, 'group', idempotency_key)[:16]}"
        if not agency_id:
            agency_id = await self._only_agency(provider_id, start)
        fp = (agency_id, to_ms(start), capacity)
        for _ in range(ATTEMPTS):
            existing = await self._store.get(appointment_id)
            if existing is not None:
                a = existing.appointment
                if (a.agency_id, to_ms(a.time.start.ToDatetime(tzinfo=UTC)), a.capacity) != fp:
                    raise InvalidInput.single("idempotency_key", "was already used for a different request")
                return a
            now = self._clock()
            # A mistyped year (0001, 9999) is refused before any calendar is laid out over it.
            if start < now:
                raise _problem("in_the_past", "that time is in the past")
            if start > now + MAX_HORIZON:
                raise _problem("too_far_ahead", f"starts more than {MAX_HORIZON.days} days ahead")
            facts, (snapshot,) = await self._facts.read(
                provider_id, agency_id, Interval(start, start), [provider_id]
            )
            profile = snapshot.profile
            if profile is None or snapshot.availability is None:
                raise _problem("provider_unavailable", "your availability is not known here yet")
            if not snapshot.active:
                raise _problem("provider_unavailable", "your account is not taking bookings")
            if agency_id not in profile.agency_ids:
                raise _problem("provider_unavailable", "you do not serve this agency")
            window = Interval(min(start, now), start).expand(_DAY, _DAY)
            offer = provider_offer(snapshot, SessionType.GROUP, window, now, self._expansions)
            session = None if offer is None else offer.sessions.get(SessionType.GROUP.value)
            place = placement(snapshot, SessionType.GROUP, start)
            if session is None or place is None:
                raise _problem("provider_unavailable", "you do not offer group sessions")
            if start - now < session.min_notice:
                raise _problem("too_soon", "group sessions need more notice")
            end = start + session.duration
            if not any(f.start <= start and end <= f.end for f in session.free):
                raise _problem("outside_provider_hours", "outside your hours for group sessions")
            peer_roster = offer.roster if offer is not None else None  # a peer: off duty and rested
            if peer_roster is not None and off_duty_windows(
                peer_roster, facts.policy.fatigue, place.time
            ).windows != (place.time,):
                raise _problem(
                    "peer_off_duty_rules", "you are on duty or resting then under your agency's rest rules"
                )
            appointment = Appointment(
                appointment_id=appointment_id,
                agency_id=agency_id,
                provider_id=provider_id,
                session_type=common.SESSION_TYPE_GROUP,
                time=interval_to_proto(place.time),
                status=AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
                capacity=capacity,
                created_at=timestamp(now),
                updated_at=timestamp(now),
                status_reason="group_offered",
                version=1,
                training_course=training_course,
                topic_code=topic_code,
            )
            event = ev.AppointmentStatusChanged(appointment=appointment, reason_code="group_offered")
            deadline = await self._store.now_ms() + CLAIM_TTL_MS
            result = await self._store.commit(
                self._tx.commit(snapshot, place, "book", appointment, 0, deadline, event)
            )
            if result.code == "ok":
                return appointment
            if result.code == "exists" or result.code.startswith("stale_"):
                continue
            if result.code == "busy":
                raise _problem("provider_busy", "you have another session at this time")
            raise refusal(result.code)
        raise ConcurrentChange("your calendar is changing too fast; retry")

    async def take_seat(
        self, *, officer_id: str, agency_id: str, group_id: str, idempotency_key: str, training: bool = False
    ) -> Appointment:
        """A seat in a group session: the officer's side is checked and claimed as in Book (the
        group's own entry on the provider's calendar does not count as the provider being busy),
        then a compare-and-set on the group's version adds the officer (capacity and "not
        seated yet" decided on exactly that version). A lost race re-reads and retries; every
        lost race is someone else's seat, so capacity + a few attempts always settle it."""
        key = Key(
            officer_id, digest(officer_id, "seat", idempotency_key), digest("seat", officer_id, group_id)
        )
        attempts = ATTEMPTS
        group = Appointment()  # as read by the attempt under way
        version = 0  # of ``group``: the seat's compare-and-set

        async def prepare(now: datetime) -> Hold | Appointment | None:
            nonlocal attempts, group, version
            stored = await self._store.get(group_id)
            if (
                stored is None
                or stored.appointment.session_type != common.SESSION_TYPE_GROUP
                or stored.appointment.agency_id != agency_id
                or bool(stored.appointment.training_course) != training  # trainings seat invitees only
            ):
                raise NotFound("no such group session")
            group, version = stored.appointment, stored.version
            attempts = ATTEMPTS + 2 * max(group.capacity, 1)
            start = group.time.start.ToDatetime(tzinfo=UTC)
            intent = await self._tx.checked(
                key, agency_id, group.provider_id, SessionType.GROUP, start, now, exclude=group_id
            )
            if intent is None or isinstance(intent, Appointment):
                return intent
            if officer_id in group.officer_ids:
                raise WrongState("you already have a seat in this group session")
            if group.status != AppointmentStatus.APPOINTMENT_STATUS_BOOKED:
                raise WrongState("this group session is not open")
            if len(group.officer_ids) >= group.capacity:
                raise _problem("group_full", "every seat of this group session is taken")
            return Hold(intent, group_id, group_id)

        async def write(hold: Hold, now: datetime, deadline_ms: int) -> tuple[Appointment, str]:
            seated = Appointment()
            seated.CopyFrom(group)
            seated.officer_ids.append(officer_id)
            seated.officer_day_kinds.append(
                day_kind(hold.intent.officer.roster, hold.intent.place.time.start)
            )
            seated.version = version + 1
            seated.updated_at.CopyFrom(timestamp(now))
            reason = "training_seated" if training else "seat_taken"  # told to the invitee
            seated.status_reason = reason
            event = ev.AppointmentStatusChanged(
                appointment=seated, previous_status=group.status, reason_code=reason
            )
            envelope = build(event, subject=group_id, when=self._clock())
            return seated, await self._store.seat(seated, version, deadline_ms, envelope)

        return await self._tx.run(key, Steps(prepare, write, lambda: attempts), _SEAT_WORDING)
