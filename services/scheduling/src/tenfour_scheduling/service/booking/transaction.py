"""The one transaction every way of placing a session runs: read everything and check in
memory, claim (officer slot), write the provider's side (commit, or a seat's compare-and-set),
then confirm (officer slot) or release the claim; a lost race retries from a fresh read. See
adapters/appointment_store.py for why it takes two slots.

Idempotency keys are idempotency.py's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf.message import Message

from tenfour.scheduling.v1.appointments_pb2 import Appointment, DayKind
from tenfour_scheduling.domain.booking_rules import local_day, local_week
from tenfour_scheduling.domain.records import Claim, Commit, ProviderSnapshot, Reply, StoredRoster
from tenfour_scheduling.domain.rotation import is_duty_day
from tenfour_scheduling.service.booking.idempotency import Idempotency, Key, key_reused
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
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions
from tenfour_scheduling.service.ports import Appointments, Facts
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import ConcurrentChange, WrongState
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval, load_zone

__all__ = [
    "ATTEMPTS",
    "Hold",
    "Intent",
    "Steps",
    "Transaction",
    "Wording",
    "day_kind",
    "refusal",
]

ATTEMPTS = 5
_REFUSALS = {
    "busy": ("provider_busy", "the provider was booked at this time meanwhile"),
    "busy_as_officer": ("provider_busy", "the provider has a session of their own then"),
    "day_cap": ("provider_limit", "the provider reached their daily session limit meanwhile"),
    "week_cap": ("provider_limit", "the provider reached their weekly session limit meanwhile"),
    "deactivated": ("provider_unavailable", "this provider is not taking bookings"),
    "busy_as_provider": ("officer_busy", "you run a session as a peer supporter then"),
    "day_limit": ("officer_day_limit", "you already have the sessions allowed that day"),
}


def refusal(code: str, suffix: str = "") -> WrongState:
    """A booking script's refusal in the caller's words."""
    problem, message = _REFUSALS.get(code, ("refused", code))
    return BookingProblem(problem, message + suffix).error()


def day_kind(roster: StoredRoster | None, start: datetime) -> DayKind.ValueType:
    """The officer's day kind for a session starting at ``start`` (unspecified without a roster)."""
    if roster is None:
        return DayKind.DAY_KIND_UNSPECIFIED
    return DayKind.DAY_KIND_WORK_DAY if is_duty_day(roster.roster, start) else DayKind.DAY_KIND_DAY_OFF


@dataclass(frozen=True, slots=True)
class Intent:
    """What one attempt will write, and with which facts it was checked."""

    officer: OfficerSide
    snapshot: ProviderSnapshot
    place: Placement


@dataclass(frozen=True, slots=True)
class Hold:
    """What one attempt claims on the officer's calendar."""

    intent: Intent
    member: str  # the appointment id (a booking) or "<id>><start ms>" (a move)
    appointment_id: str
    skip: str = ""  # the appointment being moved: ignored by the claim's checks


@dataclass(frozen=True, slots=True)
class Wording:
    expired: str  # the attempt outlived its claim and was undone
    exhausted: str  # every attempt lost a race
    suffix: str = ""  # added to a refusal


@dataclass(frozen=True, slots=True)
class Steps:
    """A use case's part of the transaction.

    ``prepare`` reads and checks: a Hold to claim, the key's first result, or None (read
    again). ``write`` takes the provider's side once claimed: the appointment and the script's
    code (ok | stale… | expired | a refusal). ``limit`` is how many races may be lost (it may
    grow once prepare has read, as for a group's seats).
    """

    prepare: Callable[[datetime], Awaitable[Hold | Appointment | None]]
    write: Callable[[Hold, datetime, int], Awaitable[tuple[Appointment, str]]]
    limit: Callable[[], int] = field(default=lambda: ATTEMPTS)


class Transaction:
    def __init__(
        self, store: Appointments, claims: Claims, facts: Facts, expansions: Expansions, clock: Clock
    ) -> None:
        self._store = store
        self._claims = claims
        self._facts = facts
        self._expansions = expansions
        self._clock = clock
        self.keys = Idempotency(store, claims)

    async def run(self, key: Key, steps: Steps, wording: Wording) -> Appointment:
        """Claim → write → confirm, or release and retry while races are lost."""
        tried = 0
        while tried < steps.limit():
            tried += 1
            now = self._clock()
            hold = await steps.prepare(now)
            if hold is None:
                continue
            if isinstance(hold, Appointment):
                return hold
            claim = await self._store.claim(self._claim(hold, key))
            if claim.code in ("replay", "stale_roster"):
                continue
            if claim.code == "mismatch":
                raise key_reused()
            if claim.code == "busy" and await self._heal(key.officer_id, claim):
                continue
            if claim.code != "ok":
                raise self._claim_refusal(claim)
            appointment, code = await steps.write(hold, now, int(claim.text(0)))
            if code == "ok":
                await self._store.sync(
                    key.officer_id,
                    appointment,
                    True,
                    drop_member=hold.member,
                    idempotency=key.digest,
                    result=appointment.SerializeToString(),
                )
                return appointment
            await self._store.release(key.officer_id, hold.member, hold.appointment_id, key.digest)
            if code.startswith("stale"):
                continue
            if code == "expired":
                raise ConcurrentChange(wording.expired)
            raise refusal(code, wording.suffix)
        raise ConcurrentChange(wording.exhausted)

    async def checked(
        self,
        key: Key,
        agency_id: str,
        provider_id: str,
        session_type: SessionType,
        start: datetime,
        now: datetime,
        exclude: str = "",
    ) -> Intent | Appointment | None:
        """Read everything in one round trip and check in memory.

        An Appointment is the idempotency key's first result; None means a dead earlier attempt
        under this key was cleared (read again); a refusal raises WrongState.
        """
        officer_id = key.officer_id
        facts, (snapshot,) = await self._facts.read(
            officer_id, agency_id, Interval(start, start), [provider_id], key.digest
        )
        if facts.idempotency:
            return await self.keys.replay_record(key, facts.idempotency)
        if any(e.claim for e in facts.entries) and await self._claims.settle_dead(officer_id, facts.entries):
            return None
        officer = officer_side(facts)
        problem = check_booking(
            officer, snapshot, session_type, start, now, self._expansions, exclude=exclude
        )
        if problem is not None:
            if problem.code in TAKEN:
                # Perhaps taken by a concurrent request with this very key: then it is ours.
                first = await self.keys.replay(key)
                if first is not None:
                    return first
            raise problem.error()
        place = placement(snapshot, session_type, start)
        if place is None:  # check_booking found the type offered: only a race with new rules
            raise ConcurrentChange("the provider's hours changed meanwhile; look again")
        return Intent(officer, snapshot, place)

    def commit(
        self,
        snapshot: ProviderSnapshot,
        place: Placement,
        mode: str,
        appointment: Appointment,
        expected: int,
        deadline_ms: int,
        event: Message,
    ) -> Commit:
        """Phase 2's request: the appointment and what the provider's side re-checks."""
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

    def _claim(self, hold: Hold, key: Key) -> Claim:
        intent = hold.intent
        s = intent.place.session
        officer = intent.officer
        zone = load_zone(officer.roster.roster.zone)
        t = intent.place.time
        return Claim(
            officer_id=officer.officer_id,
            member=hold.member,
            appointment_id=hold.appointment_id,
            provider_id=intent.snapshot.provider_id,
            time=t,
            probe=t.expand(s.buffer_before, s.buffer_after),
            day=local_day(t.start.astimezone(zone).date(), zone),
            max_per_day=officer.policy.fatigue.max_sessions_per_day,
            roster_version=officer.roster.version,
            skip=hold.skip,
            fingerprint=key.fingerprint,
            idempotency=key.digest,
        )

    async def _heal(self, officer_id: str, reply: Reply) -> bool:
        """A clash with a claim past its deadline: settle that claim and say so (then retry)."""
        member, state, deadline, now = reply.text(0), reply.text(1), int(reply.text(2)), int(reply.text(4))
        if state != "C" or deadline + CLAIM_GRACE_MS > now:
            return False
        await self._claims.settle(officer_id, member)
        return True

    @staticmethod
    def _claim_refusal(reply: Reply) -> WrongState:
        if reply.code == "busy":
            if reply.text(1) == "C":
                return BookingProblem(
                    "officer_busy", "you are booking another session at this time right now"
                ).error()
            return BookingProblem("officer_busy", "overlaps another of your sessions or its buffer").error()
        if reply.code == "deactivated":
            return WrongState("this account is deactivated")
        return refusal(reply.code)
