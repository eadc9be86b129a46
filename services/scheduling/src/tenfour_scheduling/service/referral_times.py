"""Warm handoff, the clinician proposes times: on a referral they agreed to, the officer asks the
referred clinicians to propose times (a note on preferred days or times is optional); one of them
proposes 1-3 times, each checked like a booking (their hours, licence, the officer's roster,
sleep and rest rules); the officer picks one, which is booked through ``Book`` (every rule again,
one winner), or lets them run out.

The note is stored on the referral for the officer and the referred clinicians only, and never
logged or put in an event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.checks import check_booking, officer_side, placement
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions
from tenfour_scheduling.service.ports import Facts
from tenfour_scheduling.service.program_ports import ReferralRecords
from tenfour_scheduling.service.referrals import ReferralService
from tenfour_shared import errors
from tenfour_shared.calendar import SessionType
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["MAX_TIMES", "NOTE_LIMIT", "PROPOSALS_LAST", "ReferralTimes", "open_proposal"]

PROPOSALS_LAST = timedelta(hours=48)
MAX_TIMES = 3
NOTE_LIMIT = 300
_R = rpb.ReferralState
# Refusals about the provider's side: their own words are fine for the clinician. Any other
# refusal is about the officer's shifts or rest, which the clinician is told only in general.
_PROVIDER_SIDE = frozenset(
    {
        "provider_unavailable", "provider_busy", "provider_limit", "unlicensed", "training_lapsed",
        "session_type_not_offered", "too_soon", "too_far_ahead", "outside_provider_hours",
    }
)  # fmt: skip


def open_proposal(referral: rpb.Referral, now: datetime) -> bool:
    """Times were proposed and have not run out."""
    return referral.HasField("proposed") and referral.proposed.expires_at.ToDatetime(tzinfo=UTC) > now


def _copy(referral: rpb.Referral) -> rpb.Referral:
    new = rpb.Referral()
    new.CopyFrom(referral)
    return new


class ReferralTimes:
    def __init__(
        self,
        store: ReferralRecords,
        referrals: ReferralService,
        facts: Facts,
        expansions: Expansions,
        book: Book,
        clock: Clock,
    ) -> None:
        self._store = store
        self._referrals = referrals
        self._facts = facts
        self._expansions = expansions
        self._book = book
        self._clock = clock

    async def request(self, officer_id: str, agency_id: str, referral_id: str, note: str) -> rpb.Referral:
        note = note.strip()
        if len(note) > NOTE_LIMIT:
            raise errors.InvalidInput.single("note", f"at most {NOTE_LIMIT} characters")
        referral, raw = await self._referrals.officers(officer_id, agency_id, referral_id)
        if self._referrals.shown(referral).state != _R.REFERRAL_STATE_CONSENTED:
            raise errors.WrongState(
                "ask for times once you have agreed to the referral, before booking and before it expires"
            )
        now = self._clock()
        if open_proposal(referral, now):
            raise errors.WrongState("times were proposed: pick one, or ask again once they run out")
        new = _copy(referral)
        new.times_requested_at.CopyFrom(timestamp(now))
        new.times_note = note
        new.ClearField("proposed")
        asked = ev.ReferralTimesRequested(
            agency_id=agency_id,
            referral_id=referral_id,
            clinician_ids=await self._referrals.clinicians_for(referral),  # the pool: as it stands now
        )
        if not await self._store.replace(new, raw, build(asked, subject=referral_id, when=now)):
            raise errors.ConcurrentChange("this referral is changing; look at it again")
        return new

    async def propose(
        self, clinician_id: str, agencies: list[str], referral_id: str, starts: list[datetime]
    ) -> rpb.Referral:
        got = None
        for agency in agencies:
            got = await self._store.get(agency, referral_id)
            if got is not None:
                break
        if got is None:
            raise errors.NotFound("no such referral")
        referral, raw = got
        if clinician_id not in (
            referral.clinician_ids or await self._referrals.may_serve(referral, [clinician_id])
        ):
            raise errors.NotAllowed("this referral is for other clinicians")
        now = self._clock()
        if self._referrals.shown(referral).state != _R.REFERRAL_STATE_CONSENTED or not referral.HasField(
            "times_requested_at"
        ):
            raise errors.WrongState("the officer has not asked for times on this referral")
        if open_proposal(referral, now):
            raise errors.WrongState("times were already proposed; the officer is choosing")
        if not 1 <= len(starts) <= MAX_TIMES:
            raise errors.InvalidInput.single("starts", f"propose 1 to {MAX_TIMES} times")
        if len(set(starts)) != len(starts):
            raise errors.InvalidInput.single("starts", "each time once")
        for i, start in enumerate(starts):
            if start <= now:
                raise errors.InvalidInput.single(f"starts[{i}]", "is in the past")
        times = [await self._checked(referral, clinician_id, i, start, now) for i, start in enumerate(starts)]
        new = _copy(referral)
        proposed = new.proposed
        proposed.Clear()
        proposed.clinician_id = clinician_id
        for time in times:
            slot = proposed.times.add()
            slot.start.CopyFrom(timestamp(time.start))
            slot.end.CopyFrom(timestamp(time.end))
        proposed.proposed_at.CopyFrom(timestamp(now))
        proposed.expires_at.CopyFrom(timestamp(min(now + PROPOSALS_LAST, *starts)))
        told = ev.ReferralTimesProposed(
            officer_id=referral.officer_id, agency_id=referral.agency_id, referral_id=referral_id
        )
        if not await self._store.replace(new, raw, build(told, subject=referral_id, when=now)):
            raise errors.ConcurrentChange("this referral is changing; look at it again")
        return new

    async def _checked(
        self, referral: rpb.Referral, clinician_id: str, i: int, start: datetime, now: datetime
    ) -> Interval:
        """The session at ``start`` if the officer could book it with this clinician now."""
        facts, (snapshot,) = await self._facts.read(
            referral.officer_id, referral.agency_id, Interval(start, start), [clinician_id]
        )
        zone = snapshot.availability.rules.timezone if snapshot.availability is not None else "UTC"
        # Said in the clinician's own zone: "time 2 (Thu 05 Mar 02:00 CST): ..."
        label = f"time {i + 1} ({start.astimezone(ZoneInfo(zone)):%a %d %b %H:%M %Z})"
        if facts.roster is None:
            raise errors.WrongState(f"{label}: the officer's shifts are not known yet; try later")
        problem = check_booking(
            officer_side(facts), snapshot, SessionType.INDIVIDUAL, start, now, self._expansions
        )
        if problem is not None:
            why = (
                f"{problem.message} ({problem.code})"  # the code: a client says it in its own words
                if problem.code in _PROVIDER_SIDE
                else "does not fit the officer's shifts or rest"
            )
            raise errors.WrongState(f"{label}: {why}")
        place = placement(snapshot, SessionType.INDIVIDUAL, start)
        if place is None:
            raise errors.WrongState(f"{label}: you do not offer individual sessions then")
        return place.time

    async def pick(
        self, officer_id: str, agency_id: str, referral_id: str, start: datetime
    ) -> tuple[rpb.Referral, Appointment]:
        referral, raw = await self._referrals.officers(officer_id, agency_id, referral_id)
        if self._referrals.shown(referral).state != _R.REFERRAL_STATE_CONSENTED:
            raise errors.WrongState("this referral is not open for booking (already booked, or expired)")
        if not open_proposal(referral, self._clock()):
            raise errors.WrongState("no proposed times are open: ask the clinician again")
        if all(t.start.ToDatetime(tzinfo=UTC) != start for t in referral.proposed.times):
            raise errors.InvalidInput.single("start", "is not one of the proposed times")
        try:
            # One key per referral: of two picks at once only one books (the other's key clashes).
            appointment = await self._book.book(
                officer_id=officer_id,
                agency_id=agency_id,
                provider_id=referral.proposed.clinician_id,
                session_type=SessionType.INDIVIDUAL,
                start=start,
                idempotency_key=f"referral-{referral_id}",
                from_referral=True,
            )
        except errors.InvalidInput as exc:
            if any(v.field == "idempotency_key" for v in exc.violations):
                raise errors.WrongState("another time was just booked from this referral") from exc
            raise
        new = _copy(referral)
        new.state = _R.REFERRAL_STATE_BOOKED
        new.appointment_id = appointment.appointment_id
        new.times_note = ""  # served its purpose: not kept once booked
        if not await self._store.replace(new, raw):
            again = await self._store.get(agency_id, referral_id)
            if again is not None and again[0].appointment_id == appointment.appointment_id:
                return again[0], appointment  # the same pick, twice at once: already recorded
            raise errors.ConcurrentChange("this referral is changing; look at it again")
        return new, appointment
