"""Book and Reschedule: check in memory, then claim (officer slot), commit (provider slot) and
confirm (officer slot); see adapters/appointment_store.py for why it takes two slots.

Idempotency follows Stripe: a key (per caller, kept 24 h) replays the first result for the same
request and is an error for a different one; while the first attempt runs, a retry is ABORTED.
A refused attempt keeps no result, so the client may retry the key after fixing the cause.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus, DayKind
from tenfour_scheduling.adapters.appointment_store import (
    CLAIM_TTL_MS,
    AppointmentStore,
    Claim,
    Commit,
    Reply,
)
from tenfour_scheduling.adapters.calendars import to_ms
from tenfour_scheduling.adapters.codec import interval_to_proto, timestamp
from tenfour_scheduling.adapters.facts import FactReader, OfficerFacts
from tenfour_scheduling.adapters.keys import new_appointment_id
from tenfour_scheduling.adapters.officer_store import StoredRoster
from tenfour_scheduling.adapters.snapshots import ProviderSnapshot
from tenfour_scheduling.domain import off_duty_windows
from tenfour_scheduling.domain.booking_rules import local_day, local_week
from tenfour_scheduling.domain.rotation import is_duty_day
from tenfour_scheduling.service.checks import (
    TAKEN,
    BookingProblem,
    OfficerSide,
    Placement,
    check_booking,
    officer_side,
    placement,
)
from tenfour_scheduling.service.claims import CLAIM_GRACE_MS, Claims
from tenfour_scheduling.service.offers import Expansions, provider_offer
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["BookingService", "Clock", "day_kind"]

Clock = Callable[[], datetime]
ATTEMPTS = 5
_NO_LIMIT = 1_000_000  # an urgent session ignores the officer's daily limit
_DAY = timedelta(days=1)
_SESSION_TYPES = {SessionType.INDIVIDUAL: common.SESSION_TYPE_INDIVIDUAL}
MIN_GROUP_CAPACITY = 2
MAX_GROUP_CAPACITY = 8  # signaling's mesh holds 8 participants including the provider
_REFUSALS = {
    "busy": ("provider_busy", "the provider was booked at this time meanwhile"),
    "busy_as_officer": ("provider_busy", "the provider has a session of their own then"),
    "day_cap": ("provider_limit", "the provider reached their daily session limit meanwhile"),
    "week_cap": ("provider_limit", "the provider reached their weekly session limit meanwhile"),
    "deactivated": ("provider_unavailable", "this provider is not taking bookings"),
    "busy_as_provider": ("officer_busy", "you run a session as a peer supporter then"),
    "day_limit": ("officer_day_limit", "you already have the sessions allowed that day"),
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Intent:
    """What one attempt will write, and with which facts it was checked."""

    officer: OfficerSide
    snapshot: ProviderSnapshot
    place: Placement


def day_kind(roster: StoredRoster | None, start: datetime) -> DayKind.ValueType:
    """The officer's day kind for a session starting at ``start`` (unspecified without a roster)."""
    if roster is None:
        return DayKind.DAY_KIND_UNSPECIFIED
    return DayKind.DAY_KIND_WORK_DAY if is_duty_day(roster.roster, start) else DayKind.DAY_KIND_DAY_OFF


class BookingService:
    def __init__(
        self, store: AppointmentStore, claims: Claims, facts: FactReader, expansions: Expansions, clock: Clock
    ) -> None:
        self._store = store
        self._claims = claims
        self._facts = facts
        self._expansions = expansions
        self._clock = clock

    async def _checked(
        self,
        digest: str,
        fp: str,
        officer_id: str,
        agency_id: str,
        provider_id: str,
        session_type: SessionType,
        start: datetime,
        now: datetime,
        exclude: str = "",
    ) -> Intent | Appointment | None:
        """Read everything in one round trip and check in memory.

        An Appointment is the idempotency key's first result; None means a dead earlier attempt
        under this key was cleared (read again); a refusal raises FailedPrecondition.
        """
        facts, (snapshot,) = await self._facts.read(
            officer_id, agency_id, Interval(start, start), [provider_id], digest
        )
        if facts.idempotency:
            return await self._replay_record(officer_id, digest, fp, facts.idempotency)
        if any(e.claim for e in facts.entries) and await self._claims.settle_dead(officer_id, facts.entries):
            return None
        officer = officer_side(facts)
        problem = check_booking(
            officer, snapshot, session_type, start, now, self._expansions, exclude=exclude
        )
        if problem is not None:
            if problem.code in TAKEN:
                # Perhaps taken by a concurrent request with this very key: then it is ours.
                first = await self._replay(officer_id, digest, fp)
                if first is not None:
                    return first
            raise problem.error()
        place = placement(snapshot, session_type, start)
        if place is None:  # check_booking found the type offered: only a race with new rules
            raise Aborted("the provider's hours changed meanwhile; look again")
        return Intent(officer, snapshot, place)

    def _claim(
        self, intent: Intent, member: str, appointment_id: str, skip: str, fp: str, digest: str
    ) -> Claim:
        s = intent.place.session
        officer = intent.officer
        zone = load_zone(officer.roster.roster.zone)
        t = intent.place.time
        return Claim(
            officer_id=officer.officer_id,
            member=member,
            appointment_id=appointment_id,
            provider_id=intent.snapshot.provider_id,
            time=t,
            probe=t.expand(s.buffer_before, s.buffer_after),
            day=local_day(t.start.astimezone(zone).date(), zone),
            max_per_day=officer.policy.fatigue.max_sessions_per_day,
            roster_version=officer.roster.version,
            skip=skip,
            fingerprint=fp,
            idempotency=digest,
        )

    def _commit(
        self,
        intent: Intent | tuple[ProviderSnapshot, Placement],
        mode: str,
        appointment: Appointment,
        expected: int,
        deadline_ms: int,
        event: Message,
    ) -> Commit:
        snapshot, place = (intent.snapshot, intent.place) if isinstance(intent, Intent) else intent
        s = place.session
        zone = load_zone(place.provider_zone)
        pad = s.buffer_before + s.buffer_after
        t = place.time
        local = t.start.astimezone(zone).date()
        return Commit(
            mode=mode,
            appointment=appointment,
            expected_version=expected,
            rules_version=snapshot.rules_version,
            profile_version=snapshot.profile_version,
            roster_version=snapshot.roster_version,
            probe=t.expand(pad, pad),
            day=local_day(local, zone),
            day_cap=s.max_per_day or 0,
            week=local_week(local, zone),
            week_cap=s.max_per_week or 0,
            deadline_ms=deadline_ms,
            event=build(event, subject=appointment.appointment_id, when=self._clock()),
        )

    async def book_urgent(
        self, facts: OfficerFacts, snapshot: ProviderSnapshot, start: datetime
    ) -> Appointment | None:
        """An urgent (crisis) session with this provider starting at ``start``, or None when
        either calendar refuses it. The officer's fatigue rules and daily limit do not apply to
        a crisis; both calendars and the provider's caps are re-checked atomically as in Book."""
        place = placement(snapshot, SessionType.CRISIS, start)
        if place is None:
            return None
        zone = load_zone(facts.roster.roster.zone if facts.roster is not None else "UTC")
        t = place.time
        appointment_id = new_appointment_id(snapshot.provider_id)
        claim = await self._store.claim(
            Claim(
                officer_id=facts.officer_id,
                member=appointment_id,
                appointment_id=appointment_id,
                provider_id=snapshot.provider_id,
                time=t,
                probe=t,
                day=local_day(t.start.astimezone(zone).date(), zone),
                max_per_day=_NO_LIMIT,
                roster_version=facts.roster.version if facts.roster is not None else 0,
            )
        )
        if claim.code != "ok":
            return None
        now = self._clock()
        appointment = Appointment(
            appointment_id=appointment_id,
            agency_id=facts.agency_id,
            provider_id=snapshot.provider_id,
            officer_ids=[facts.officer_id],
            officer_day_kinds=[day_kind(facts.roster, t.start)],
            session_type=common.SESSION_TYPE_CRISIS,
            time=interval_to_proto(t),
            status=AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
            urgent=True,
            capacity=1,
            created_at=timestamp(now),
            updated_at=timestamp(now),
            status_reason="urgent",
            version=1,
        )
        event = ev.AppointmentStatusChanged(appointment=appointment, reason_code="booked")
        result = await self._store.commit(
            self._commit((snapshot, place), "book", appointment, 0, int(claim.text(0)), event)
        )
        if result.code in ("ok", "exists"):
            await self._store.sync(facts.officer_id, appointment, True, drop_member=appointment_id)
            return appointment
        await self._store.release(facts.officer_id, appointment_id, appointment_id)
        return None

    # -- idempotency ------------------------------------------------------------------------

    async def _replay(self, officer_id: str, digest: str, fp: str) -> Appointment | None:
        """The first result for this key, None when the key is free (again), or an error."""
        record = await self._store.idempotency_record(officer_id, digest)
        return await self._replay_record(officer_id, digest, fp, record) if record else None

    async def _replay_record(
        self, officer_id: str, digest: str, fp: str, record: dict[str, bytes]
    ) -> Appointment | None:
        if record.get("fp", b"").decode() != fp:
            raise InvalidArgument.single("idempotency_key", "was already used for a different request")
        if record.get("state") == b"done":
            first = Appointment()
            first.ParseFromString(record.get("result", b""))
            return first
        appointment_id = record.get("appointment_id", b"").decode()
        member = record.get("claim", b"").decode()
        committed = await self._claims.committed(appointment_id, member, officer_id)
        if committed is not None:
            await self._store.sync(
                officer_id,
                committed,
                True,
                drop_member=member,
                idempotency=digest,
                result=committed.SerializeToString(),
            )
            return committed
        entry = await self._store.claim_entry(officer_id, member)
        if (
            entry is not None
            and entry.claim
            and entry.deadline_ms + CLAIM_GRACE_MS > await self._store.now_ms()
        ):
            raise Aborted("a request with this idempotency key is still running; retry shortly")
        await self._store.release(officer_id, member, appointment_id, digest)  # a dead attempt
        return None

    async def _heal(self, officer_id: str, reply: Reply) -> bool:
        """A clash with a claim past its deadline: settle that claim and say so (then retry)."""
        member, state, deadline, now = reply.text(0), reply.text(1), int(reply.text(2)), int(reply.text(4))
        if state != "C" or deadline + CLAIM_GRACE_MS > now:
            return False
        await self._claims.settle(officer_id, member)
        return True

    def _claim_refusal(self, reply: Reply) -> FailedPrecondition:
        if reply.code == "busy":
            if reply.text(1) == "C":
                return BookingProblem(
                    "officer_busy", "you are booking another session at this time right now"
                ).error()
            return BookingProblem("officer_busy", "overlaps another of your sessions or its buffer").error()
        if reply.code == "deactivated":
            return FailedPrecondition("this account is deactivated")
        code, message = _REFUSALS.get(reply.code, ("refused", reply.code))
        return BookingProblem(code, message).error()

    # -- use cases --------------------------------------------------------------------------

    async def book(
        self,
        *,
        officer_id: str,
        agency_id: str,
        provider_id: str,
        session_type: SessionType,
        start: datetime,
        idempotency_key: str,
        series_id: str = "",
    ) -> Appointment:
        digest = _digest(officer_id, "book", idempotency_key)
        fp = _digest("book", officer_id, provider_id, session_type.value, str(to_ms(start)))
        for _ in range(ATTEMPTS):
            now = self._clock()
            intent = await self._checked(
                digest, fp, officer_id, agency_id, provider_id, session_type, start, now
            )
            if intent is None:
                continue
            if isinstance(intent, Appointment):
                return intent
            appointment_id = new_appointment_id(provider_id)
            claim = await self._store.claim(
                self._claim(intent, appointment_id, appointment_id, "", fp, digest)
            )
            if claim.code in ("replay", "stale_roster"):
                continue
            if claim.code == "mismatch":
                raise InvalidArgument.single("idempotency_key", "was already used for a different request")
            if claim.code == "busy" and await self._heal(officer_id, claim):
                continue
            if claim.code != "ok":
                raise self._claim_refusal(claim)
            appointment = Appointment(
                appointment_id=appointment_id,
                agency_id=agency_id,
                provider_id=provider_id,
                officer_ids=[officer_id],
                officer_day_kinds=[day_kind(intent.officer.roster, intent.place.time.start)],
                session_type=_SESSION_TYPES[session_type],
                time=interval_to_proto(intent.place.time),
                status=AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
                capacity=1,
                created_at=timestamp(now),
                updated_at=timestamp(now),
                status_reason="booked",
                version=1,
                series_id=series_id,
            )
            event = ev.AppointmentStatusChanged(appointment=appointment, reason_code="booked")
            result = await self._store.commit(
                self._commit(intent, "book", appointment, 0, int(claim.text(0)), event)
            )
            if result.code in ("ok", "exists"):
                await self._store.sync(
                    officer_id,
                    appointment,
                    True,
                    drop_member=appointment_id,
                    idempotency=digest,
                    result=appointment.SerializeToString(),
                )
                return appointment
            await self._store.release(officer_id, appointment_id, appointment_id, digest)
            if result.code.startswith("stale_"):
                continue
            if result.code == "expired":
                raise Aborted("the booking took too long and was undone; retry")
            code, message = _REFUSALS.get(result.code, ("refused", result.code))
            raise BookingProblem(code, message).error()
        raise Aborted("this time is changing too fast; look for slots again")

    async def reschedule(
        self, *, caller_id: str, appointment_id: str, new_start: datetime, idempotency_key: str
    ) -> Appointment:
        digest = _digest(caller_id, "reschedule", idempotency_key)
        fp = _digest("reschedule", appointment_id, str(to_ms(new_start)))
        for _ in range(ATTEMPTS):
            first = await self._replay(caller_id, digest, fp)
            if first is not None:
                return first
            stored = await self._store.get(appointment_id)
            if stored is None or caller_id not in stored.appointment.officer_ids:
                raise NotFound("no such appointment")
            old = stored.appointment
            if old.status != AppointmentStatus.APPOINTMENT_STATUS_BOOKED:
                raise FailedPrecondition("only a booked appointment can be rescheduled")
            if old.session_type == common.SESSION_TYPE_GROUP:
                raise FailedPrecondition("group sessions cannot be moved; cancel your seat instead")
            if len(old.officer_ids) != 1:
                raise FailedPrecondition("a seat in a group session cannot be moved; cancel it instead")
            now = self._clock()
            old_start = old.time.start.ToDatetime(tzinfo=UTC)
            if old_start <= now:
                raise FailedPrecondition("the session has already started")
            if old_start == new_start:
                return old
            session_type = SessionType.INDIVIDUAL
            intent = await self._checked(
                digest,
                fp,
                caller_id,
                old.agency_id,
                old.provider_id,
                session_type,
                new_start,
                now,
                exclude=appointment_id,
            )
            if intent is None:
                continue
            if isinstance(intent, Appointment):
                return intent
            member = f"{appointment_id}>{to_ms(new_start)}"
            claim = await self._store.claim(
                self._claim(intent, member, appointment_id, appointment_id, fp, digest)
            )
            if claim.code in ("replay", "stale_roster"):
                continue
            if claim.code == "mismatch":
                raise InvalidArgument.single("idempotency_key", "was already used for a different request")
            if claim.code == "busy" and await self._heal(caller_id, claim):
                continue
            if claim.code != "ok":
                raise self._claim_refusal(claim)
            moved = Appointment()
            moved.CopyFrom(old)
            moved.time.CopyFrom(interval_to_proto(intent.place.time))
            moved.officer_day_kinds[:] = [day_kind(intent.officer.roster, intent.place.time.start)]
            moved.version = stored.version + 1
            moved.updated_at.CopyFrom(timestamp(now))
            moved.status_reason = "rescheduled"
            moved.conflict = False  # the new time was checked against the current roster
            event = ev.AppointmentRescheduled(appointment=moved, previous_time=old.time)
            result = await self._store.commit(
                self._commit(intent, "move", moved, stored.version, int(claim.text(0)), event)
            )
            if result.code == "ok":
                await self._store.sync(
                    caller_id,
                    moved,
                    True,
                    drop_member=member,
                    idempotency=digest,
                    result=moved.SerializeToString(),
                )
                return moved
            await self._store.release(caller_id, member, appointment_id, digest)
            if result.code.startswith("stale_"):
                continue
            if result.code == "expired":
                raise Aborted("the reschedule took too long and was undone; your session is unchanged")
            code, message = _REFUSALS.get(result.code, ("refused", result.code))
            raise BookingProblem(code, message + "; your session is unchanged").error()
        raise Aborted("this appointment or time is changing too fast; your session is unchanged")

    # -- group sessions ---------------------------------------------------------------------

    async def offer_group(
        self,
        *,
        provider_id: str,
        agency_id: str,
        start: datetime,
        capacity: int,
        idempotency_key: str,
    ) -> Appointment:
        """A group session the provider gives: inside their availability for group sessions,
        with buffers and caps re-checked atomically by the same commit step as Book. The key
        names the appointment, so a retry finds the first one."""
        digest = _digest(provider_id, "group", idempotency_key)
        appointment_id = f"{provider_id}.{digest[:16]}"
        fp = (agency_id, to_ms(start), capacity)
        for _ in range(ATTEMPTS):
            existing = await self._store.get(appointment_id)
            if existing is not None:
                a = existing.appointment
                if (a.agency_id, to_ms(a.time.start.ToDatetime(tzinfo=UTC)), a.capacity) != fp:
                    raise InvalidArgument.single(
                        "idempotency_key", "was already used for a different request"
                    )
                return a
            now = self._clock()
            facts, (snapshot,) = await self._facts.read(
                provider_id, agency_id, Interval(start, start), [provider_id]
            )
            profile = snapshot.profile
            if profile is None or snapshot.availability is None:
                raise BookingProblem(
                    "provider_unavailable", "your availability is not known here yet"
                ).error()
            if not snapshot.active:
                raise BookingProblem("provider_unavailable", "your account is not taking bookings").error()
            if agency_id not in profile.agency_ids:
                raise BookingProblem("provider_unavailable", "you do not serve this agency").error()
            window = Interval(min(start, now), start).expand(_DAY, _DAY)
            offer = provider_offer(snapshot, SessionType.GROUP, window, now, self._expansions)
            session = None if offer is None else offer.sessions.get(SessionType.GROUP.value)
            place = placement(snapshot, SessionType.GROUP, start)
            if session is None or place is None:
                raise BookingProblem("provider_unavailable", "you do not offer group sessions").error()
            if start - now < session.min_notice:
                raise BookingProblem("too_soon", "group sessions need more notice").error()
            end = start + session.duration
            if not any(f.start <= start and end <= f.end for f in session.free):
                raise BookingProblem(
                    "outside_provider_hours", "outside your hours for group sessions"
                ).error()
            peer_roster = offer.roster if offer is not None else None  # a peer: off duty and rested
            if peer_roster is not None and off_duty_windows(
                peer_roster, facts.policy.fatigue, place.time
            ).windows != (place.time,):
                raise BookingProblem(
                    "peer_off_duty_rules",
                    "you are on duty or resting then under your agency's rest rules",
                ).error()
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
            )
            event = ev.AppointmentStatusChanged(appointment=appointment, reason_code="group_offered")
            deadline = await self._store.now_ms() + CLAIM_TTL_MS
            result = await self._store.commit(
                self._commit((snapshot, place), "book", appointment, 0, deadline, event)
            )
            if result.code == "ok":
                return appointment
            if result.code == "exists" or result.code.startswith("stale_"):
                continue
            code, message = _REFUSALS.get(result.code, ("refused", result.code))
            if result.code == "busy":
                message = "you have another session at this time"
            raise BookingProblem(code, message).error()
        raise Aborted("your calendar is changing too fast; retry")

    async def take_seat(
        self, *, officer_id: str, agency_id: str, group_id: str, idempotency_key: str
    ) -> Appointment:
        """A seat in a group session: the officer's side is checked and claimed as in Book (the
        group's own entry on the provider's calendar does not count as the provider being busy),
        then a compare-and-set on the group's version adds the officer (capacity and "not
        seated yet" decided on exactly that version). A lost race re-reads and retries; every
        lost race is someone else's seat, so capacity + a few attempts always settle it."""
        digest = _digest(officer_id, "seat", idempotency_key)
        fp = _digest("seat", officer_id, group_id)
        attempts = ATTEMPTS
        tried = 0
        while tried < attempts:
            tried += 1
            stored = await self._store.get(group_id)
            if (
                stored is None
                or stored.appointment.session_type != common.SESSION_TYPE_GROUP
                or stored.appointment.agency_id != agency_id
            ):
                raise NotFound("no such group session")
            group = stored.appointment
            attempts = ATTEMPTS + 2 * max(group.capacity, 1)
            start = group.time.start.ToDatetime(tzinfo=UTC)
            now = self._clock()
            intent = await self._checked(
                digest,
                fp,
                officer_id,
                agency_id,
                group.provider_id,
                SessionType.GROUP,
                start,
                now,
                exclude=group_id,
            )
            if intent is None:
                continue
            if isinstance(intent, Appointment):
                return intent
            if officer_id in group.officer_ids:
                raise FailedPrecondition("you already have a seat in this group session")
            if group.status != AppointmentStatus.APPOINTMENT_STATUS_BOOKED:
                raise FailedPrecondition("this group session is not open")
            if len(group.officer_ids) >= group.capacity:
                raise BookingProblem("group_full", "every seat of this group session is taken").error()
            claim = await self._store.claim(self._claim(intent, group_id, group_id, "", fp, digest))
            if claim.code in ("replay", "stale_roster"):
                continue
            if claim.code == "mismatch":
                raise InvalidArgument.single("idempotency_key", "was already used for a different request")
            if claim.code == "busy" and await self._heal(officer_id, claim):
                continue
            if claim.code != "ok":
                raise self._claim_refusal(claim)
            seated = Appointment()
            seated.CopyFrom(group)
            seated.officer_ids.append(officer_id)
            seated.officer_day_kinds.append(day_kind(intent.officer.roster, start))
            seated.version = stored.version + 1
            seated.updated_at.CopyFrom(timestamp(now))
            seated.status_reason = "seat_taken"
            event = ev.AppointmentStatusChanged(
                appointment=seated, previous_status=group.status, reason_code="seat_taken"
            )
            code = await self._store.seat(
                seated, stored.version, int(claim.text(0)), build(event, subject=group_id, when=self._clock())
            )
            if code == "ok":
                await self._store.sync(
                    officer_id,
                    seated,
                    True,
                    drop_member=group_id,
                    idempotency=digest,
                    result=seated.SerializeToString(),
                )
                return seated
            await self._store.release(officer_id, group_id, group_id, digest)
            if code == "expired":
                raise Aborted("taking the seat took too long and was undone; retry")
        raise Aborted("this group session is changing too fast; retry")
