"""Training sessions for staff: planned where most invitees can attend, given as a group session
by a facilitator, invitees seated up to the seats, attendance from signaling's events and a
peer supporter's completion recorded into their training record.

Planning reads each invitee's roster, the agency's rest rules and their booked sessions (the
same facts a booking reads) and the facilitator's free time for group sessions; the pure
ranking is ``domain/training_times.py``. Scheduling goes through the ordinary group offer (the
facilitator's hours, buffers and atomic commit) and the ordinary seat (each invitee's rest
rules and other sessions re-checked atomically); an invitee whose seat is refused is simply not
seated. Trainings never appear to other officers (FindSlots' groups, Book's seats).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour.scheduling.v1 import training_sessions_pb2 as spb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.codec.values import interval_to_proto, timestamp
from tenfour_scheduling.domain.fatigue import off_duty_windows
from tenfour_scheduling.domain.policy import personal_fatigue
from tenfour_scheduling.domain.training_times import TrainingTime, best_times, candidate_starts
from tenfour_scheduling.service.booking.groups import MAX_GROUP_CAPACITY, MIN_GROUP_CAPACITY, GroupSessions
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions, provider_offer
from tenfour_scheduling.service.ports import Appointments, Facts
from tenfour_scheduling.service.program_ports import CampaignRecords, TrainingSessions
from tenfour_scheduling.service.training import TrainingService
from tenfour_shared import errors
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval, subtract

__all__ = ["MAX_INVITEES", "TrainingSessionService"]

MAX_INVITEES = 200
MAX_WINDOW = timedelta(days=31)
_COURSE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_ID = re.compile(r"[^\s{}|]{1,255}")


def _months_after(at: datetime, months: int) -> datetime:
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


class TrainingSessionService:
    def __init__(
        self,
        store: TrainingSessions,
        members: CampaignRecords,
        facts: Facts,
        groups: GroupSessions,
        appointments: Appointments,
        training: TrainingService,
        expansions: Expansions,
        clock: Clock,
    ) -> None:
        self._store = store
        self._members = members
        self._facts = facts
        self._groups = groups
        self._appointments = appointments
        self._training = training
        self._expansions = expansions
        self._clock = clock

    async def _invitees(self, agency_id: str, ids: list[str], field: str, everyone: bool) -> list[str]:
        if everyone:
            ids = [*ids, *(await self._members.members(agency_id))[:MAX_INVITEES]]
        unique = sorted(set(ids))
        if not 1 <= len(unique) <= MAX_INVITEES or not all(_ID.fullmatch(i) for i in unique):
            raise errors.InvalidInput.single(field, f"invite 1 to {MAX_INVITEES} officers or peer supporters")
        for user in unique:
            if not await self._members.is_member(agency_id, user):
                raise errors.NotAllowed("invite only officers and peer supporters of your own agency")
        return unique

    async def _free(self, agency_id: str, invitee: str, window: Interval) -> tuple[Interval, ...]:
        """The invitee's time fit for the session: off duty, rested, outside their usual sleep,
        in no other session."""
        facts, _ = await self._facts.read(invitee, agency_id, window)
        if facts.roster is None:
            return ()  # no roster: nobody can say they are free
        # As every booking: their own usual sleep, or the agency's, and the rest rules.
        fatigue = personal_fatigue(facts.policy.fatigue, facts.preferences)
        windows = off_duty_windows(facts.roster.roster, fatigue, window, officer=True).windows
        return tuple(subtract(list(windows), [e.interval for e in facts.entries]))

    async def plan(
        self,
        agency_id: str,
        facilitator_id: str,
        invitee_ids: list[str],
        window: Interval,
        limit: int,
        everyone: bool = False,
    ) -> tuple[list[TrainingTime], int]:
        now = self._clock()
        invitees = await self._invitees(agency_id, invitee_ids, "invitee_ids", everyone)
        if window.end <= window.start or window.end <= now or window.end - window.start > MAX_WINDOW:
            raise errors.InvalidInput.single("window", "choose a future window of at most 31 days")
        if not _ID.fullmatch(facilitator_id):
            raise errors.InvalidInput.single("facilitator_id", "choose who gives the training")
        _, (snapshot,) = await self._facts.read(facilitator_id, agency_id, window, [facilitator_id])
        offer = provider_offer(snapshot, SessionType.GROUP, window, now, self._expansions)
        session = None if offer is None else offer.sessions.get(SessionType.GROUP.value)
        if snapshot.profile is None or agency_id not in snapshot.profile.agency_ids:
            raise errors.NotFound("no such facilitator serving your agency")
        if offer is None or session is None:
            raise errors.WrongState("this facilitator keeps no hours for group sessions")
        free = subtract([f for f in session.free if f.overlaps(window)], list(offer.bookings))
        starts = [
            s
            for s in candidate_starts(free, session.duration, now + session.min_notice)
            if window.start <= s < window.end
        ]
        if not starts:
            raise errors.WrongState(
                "the facilitator has no free hours for group sessions in this window; "
                "choose other dates or ask them to add group hours"
            )
        by_invitee = {
            i: await self._free(agency_id, i, window.expand(timedelta(0), session.duration)) for i in invitees
        }
        return best_times(starts, session.duration, by_invitee, min(max(limit or 5, 1), 20)), len(invitees)

    async def schedule(
        self, agency_id: str, request: spb.TrainingSession, start: datetime, idempotency_key: str
    ) -> spb.TrainingSession:
        problems: list[errors.FieldViolation] = []
        title = request.title.strip()
        if not _COURSE.fullmatch(request.course):
            problems.append(
                errors.FieldViolation("session.course", "a course code: lower-case letters, digits, _ or -")
            )
        if not 1 <= len(title) <= 80 or not title.isprintable():
            problems.append(
                errors.FieldViolation("session.title", "give the training a name (1-80 characters)")
            )
        if not MIN_GROUP_CAPACITY <= request.seats <= MAX_GROUP_CAPACITY:
            problems.append(
                errors.FieldViolation("session.seats", f"{MIN_GROUP_CAPACITY} to {MAX_GROUP_CAPACITY} seats")
            )
        if not 0 <= request.valid_months <= 60:
            problems.append(errors.FieldViolation("session.valid_months", "0 (never expires) to 60 months"))
        if not _ID.fullmatch(request.facilitator_id):
            problems.append(errors.FieldViolation("session.facilitator_id", "choose who gives the training"))
        if problems:
            raise errors.InvalidInput(problems)
        invitees = await self._invitees(
            agency_id, list(request.invitee_ids), "session.invitee_ids", request.everyone
        )
        group = await self._groups.offer(
            provider_id=request.facilitator_id,
            agency_id=agency_id,
            start=start,
            capacity=request.seats,
            idempotency_key=f"training:{idempotency_key}",
            training_course=request.course,
        )
        existing = await self._store.get(agency_id, group.appointment_id)
        if existing is not None:
            return existing  # a retry
        end = group.time.end.ToDatetime(tzinfo=UTC)
        window = Interval(start, end)
        seated: list[str] = []
        for invitee in invitees:
            if len(seated) >= request.seats:
                break
            if not any(
                f.start <= start and end <= f.end for f in await self._free(agency_id, invitee, window)
            ):
                continue
            try:
                await self._groups.take_seat(
                    officer_id=invitee,
                    agency_id=agency_id,
                    group_id=group.appointment_id,
                    idempotency_key=f"training:{group.appointment_id}",
                    training=True,
                )
            except (errors.WrongState, errors.ConcurrentChange, errors.InvalidInput):
                continue  # e.g. already a session that day: not seated
            seated.append(invitee)
        session = spb.TrainingSession(
            training_id=group.appointment_id,
            agency_id=agency_id,
            course=request.course,
            title=title,
            facilitator_id=request.facilitator_id,
            time=interval_to_proto(window),
            seats=request.seats,
            valid_months=request.valid_months,
            invitee_ids=invitees,
            seated_ids=seated,
        )
        return await self._store.save(session)

    async def _view(self, s: spb.TrainingSession, ended: set[str]) -> spb.TrainingSession:
        out = spb.TrainingSession()
        out.CopyFrom(s)
        stored = await self._appointments.get(s.training_id)
        if stored is not None:
            out.time.CopyFrom(stored.appointment.time)
            out.ClearField("seated_ids")
            out.seated_ids.extend(stored.appointment.officer_ids)
        out.ended = s.training_id in ended
        joined = await self._store.joined(s.agency_id, s.training_id)
        out.attended_ids.extend(sorted(set(out.seated_ids) & joined))
        return out

    async def for_agency(self, agency_id: str) -> list[spb.TrainingSession]:
        ended = await self._store.ended(agency_id)
        found = [await self._view(s, ended) for s in await self._store.sessions(agency_id)]
        return sorted(found, key=lambda s: (s.time.start.ToDatetime(), s.training_id), reverse=True)

    async def for_member(self, agency_id: str, user_id: str) -> list[spb.TrainingSession]:
        """The invitee's own view: their trainings, without who else was invited or came."""
        out = []
        for s in await self.for_agency(agency_id):
            if user_id not in s.invitee_ids:
                continue
            mine = spb.TrainingSession()
            mine.CopyFrom(s)
            mine.seated = user_id in s.seated_ids
            mine.invited = True
            for name in ("invitee_ids", "seated_ids", "attended_ids"):
                mine.ClearField(name)
            if user_id in s.attended_ids:
                mine.attended_ids.append(user_id)
            out.append(mine)
        return out

    async def joined(self, appointment_id: str, participant_id: str) -> None:
        stored = await self._appointments.get(appointment_id)
        if stored is None or not stored.appointment.training_course:
            return
        a = stored.appointment
        if participant_id in a.officer_ids:
            await self._store.add_joined(a.agency_id, appointment_id, participant_id)
            if appointment_id in await self._store.ended(a.agency_id):
                await self._record(a, participant_id)  # the end was handled first (a redelivery)

    async def ended(self, appointment_id: str) -> int:
        """The session is over: each seated invitee who joined and is a peer supporter of the
        agency gets the course recorded (once); returns how many were recorded."""
        stored = await self._appointments.get(appointment_id)
        if stored is None or not stored.appointment.training_course:
            return 0
        a = stored.appointment
        await self._store.mark_ended(a.agency_id, appointment_id)
        recorded = 0
        for user in sorted(await self._store.joined(a.agency_id, appointment_id) & set(a.officer_ids)):
            recorded += await self._record(a, user)
        return recorded

    async def _record(self, a: Appointment, user: str) -> int:
        """The course into a peer supporter's training record, once (checked, written, marked:
        a failure in between is retried with the event rather than lost)."""
        session = await self._store.get(a.agency_id, a.appointment_id)
        if session is None or await self._store.was_recorded(a.agency_id, a.appointment_id, user):
            return 0
        completed = min(a.time.end.ToDatetime(tzinfo=UTC), self._clock())
        record = tpb.TrainingRecord(
            peer_id=user,
            course=session.course,
            provider=f"Tenfour training session: {session.title}"[:120],
            completed_at=timestamp(completed),
            source="training_session",
        )
        if session.valid_months:
            record.expires_at.CopyFrom(timestamp(_months_after(completed, session.valid_months)))
        try:
            await self._training.record(a.agency_id, record)
        except (errors.WrongState, errors.NotFound, errors.NotAllowed):
            return 0  # an officer, not a peer supporter: attendance is kept, no readiness record
        await self._store.mark_recorded(a.agency_id, a.appointment_id, user)
        return 1
