"""In-memory fakes of scheduling's own ports (service/ports.py), for unit tests of use cases.

They keep the contract the Redis scripts keep (see adapters/appointment_store.py), in the
simplest form: a claim holds the officer's time until synced or released, a commit takes the
provider's time once, an idempotency record is pending until synced. ``scripted`` makes the
next commits answer a given code first, as a concurrent writer would have made them answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.codec.rosters import roster_to_proto
from tenfour_scheduling.domain import roster_from_template
from tenfour_scheduling.domain.policy import AgencyPolicy
from tenfour_scheduling.domain.records import (
    CLAIM_TTL_MS,
    CalendarEntry,
    Claim,
    Commit,
    OfficerFacts,
    ProviderSnapshot,
    Reply,
    StoredAppointment,
    StoredRoster,
    to_ms,
)
from tenfour_shared.calendar import RuleSet, Weekday, WeeklyWindow
from tenfour_shared.events.catalog.availability import decode_rules_changed, rule_set_to_proto
from tenfour_shared.timeline import Interval

AGENCY = "agency-1"
CHICAGO = "America/Chicago"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Entry:
    interval: Interval
    claim: bool
    deadline_ms: int
    other: str


@dataclass
class FakeAppointments:
    """The Appointments port over dicts."""

    clock: Clock
    appointments: dict[str, StoredAppointment] = field(default_factory=dict)
    officer_cal: dict[str, dict[str, Entry]] = field(default_factory=dict)
    provider_cal: dict[str, dict[str, Interval]] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    scripted: list[str] = field(default_factory=list)
    commits: int = 0
    releases: int = 0

    async def now_ms(self) -> int:
        return to_ms(self.clock())

    async def claim(self, c: Claim) -> Reply:
        key = (c.officer_id, c.idempotency)
        if c.idempotency and key in self.idempotency:
            same = self.idempotency[key]["fp"] == c.fingerprint.encode()
            return Reply("replay" if same else "mismatch", ())
        for member, e in self.officer_cal.get(c.officer_id, {}).items():
            if member != c.skip and member.partition(">")[0] != c.skip and e.interval.overlaps(c.probe):
                now = str(await self.now_ms()).encode()
                return Reply(
                    "busy",
                    (member.encode(), b"C" if e.claim else b"B", str(e.deadline_ms).encode(), b"", now),
                )
        deadline = await self.now_ms() + CLAIM_TTL_MS
        self.officer_cal.setdefault(c.officer_id, {})[c.member] = Entry(c.time, True, deadline, c.provider_id)
        if c.idempotency:
            self.idempotency[key] = {
                "fp": c.fingerprint.encode(),
                "state": b"pending",
                "appointment_id": c.appointment_id.encode(),
                "claim": c.member.encode(),
            }
        return Reply("ok", (str(deadline).encode(),))

    async def commit(self, c: Commit) -> Reply:
        self.commits += 1
        if self.scripted:
            return Reply(self.scripted.pop(0), ())
        a = c.appointment
        if await self.now_ms() >= c.deadline_ms:
            return Reply("expired", ())
        stored = self.appointments.get(a.appointment_id)
        if c.mode == "book" and stored is not None:
            return Reply("exists", ())
        if c.mode == "move" and (stored is None or stored.version != c.expected_version):
            return Reply("stale_appointment", ())
        calendar = self.provider_cal.setdefault(a.provider_id, {})
        if any(i.overlaps(c.probe) for m, i in calendar.items() if m != a.appointment_id):
            return Reply("busy", ())
        calendar[a.appointment_id] = _interval(a)
        self.appointments[a.appointment_id] = StoredAppointment(a, a.version)
        return Reply("ok", ())

    async def seat(self, new: Appointment, expected_version: int, deadline_ms: int, event: Envelope) -> str:
        stored = self.appointments.get(new.appointment_id)
        if stored is None or stored.version != expected_version:
            return "stale"
        self.appointments[new.appointment_id] = StoredAppointment(new, new.version)
        return "ok"

    async def sync(
        self,
        officer_id: str,
        appointment: Appointment,
        occupying: bool,
        *,
        drop_member: str = "",
        idempotency: str = "",
        result: bytes = b"",
    ) -> None:
        calendar = self.officer_cal.setdefault(officer_id, {})
        calendar.pop(drop_member, None)
        calendar.pop(appointment.appointment_id, None)
        if occupying:
            calendar[appointment.appointment_id] = Entry(
                _interval(appointment), False, 0, appointment.provider_id
            )
        if idempotency:
            self.idempotency[(officer_id, idempotency)].update(state=b"done", result=result)

    def synced(self, officer_id: str, appointment_id: str, version: int, occupying: bool) -> bool:
        return False

    async def release(self, officer_id: str, member: str, appointment_id: str, idempotency: str = "") -> None:
        self.releases += 1
        self.officer_cal.get(officer_id, {}).pop(member, None)
        if idempotency:
            self.idempotency.pop((officer_id, idempotency), None)

    async def claim_entry(self, officer_id: str, member: str) -> CalendarEntry | None:
        e = self.officer_cal.get(officer_id, {}).get(member)
        return None if e is None else CalendarEntry(member, e.interval, e.claim, e.deadline_ms, e.other)

    async def idempotency_record(self, officer_id: str, idempotency: str) -> dict[str, bytes]:
        return dict(self.idempotency.get((officer_id, idempotency), {}))

    async def get(self, appointment_id: str) -> StoredAppointment | None:
        return self.appointments.get(appointment_id)

    async def get_many(self, appointment_ids: Sequence[str]) -> list[StoredAppointment]:
        return [self.appointments[i] for i in appointment_ids if i in self.appointments]

    def officer_entries(self, officer_id: str) -> dict[str, Entry]:
        return self.officer_cal.get(officer_id, {})


def _interval(a: Appointment) -> Interval:
    return Interval(a.time.start.ToDatetime(tzinfo=UTC), a.time.end.ToDatetime(tzinfo=UTC))


def every_day(provider_id: str, start: time, end: time, zone: str = CHICAGO) -> RuleSet:
    weekly = tuple(WeeklyWindow(weekday=d, start=start, end=end) for d in Weekday)
    return RuleSet(provider_id=provider_id, timezone=zone, weekly=weekly, version=1)


def pitman(officer_id: str, anchor: date = date(2026, 3, 2), zone: str = CHICAGO) -> StoredRoster:
    roster = roster_from_template("pitman", anchor=anchor, zone=zone)
    return StoredRoster(roster_to_proto(roster, officer_id=officer_id, template="pitman", version=1), roster)


@dataclass
class FakeFacts:
    """The Facts port: rosters and providers set by the test, calendars from the store."""

    store: FakeAppointments
    rosters: dict[str, StoredRoster] = field(default_factory=dict)
    providers: dict[str, ProviderSnapshot] = field(default_factory=dict)
    reads: int = 0

    def provider(self, provider_id: str, rules: RuleSet, *, agencies: tuple[str, ...] = (AGENCY,)) -> None:
        event = ProviderRulesChanged(
            provider_id=provider_id, version=1, rules=rule_set_to_proto(rules), active=True
        )
        profile = ProviderProfile(
            provider_id=provider_id,
            kind=common.PROVIDER_KIND_THERAPIST,
            agency_ids=list(agencies),
            timezone=rules.timezone,
            active=True,
        )
        self.providers[provider_id] = ProviderSnapshot(
            provider_id, 1, decode_rules_changed(event), 1, profile, False, 0, None, (), ()
        )

    async def read(
        self,
        officer_id: str,
        agency_id: str,
        window: Interval,
        provider_ids: Sequence[str] = (),
        idempotency_key: str = "",
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
        self.reads += 1
        entries = tuple(
            CalendarEntry(m, e.interval, e.claim, e.deadline_ms, e.other)
            for m, e in self.store.officer_entries(officer_id).items()
        )
        facts = OfficerFacts(
            officer_id=officer_id,
            agency_id=agency_id,
            roster=self.rosters.get(officer_id),
            policy=AgencyPolicy.default(agency_id),
            entries=entries,
            current_provider=None,
            preferences=None,
            idempotency=await self.store.idempotency_record(officer_id, idempotency_key)
            if idempotency_key
            else {},
        )
        snapshots = []
        for pid in provider_ids:
            booked = tuple(
                CalendarEntry(m, i, False, 0, "") for m, i in self.store.provider_cal.get(pid, {}).items()
            )
            snapshots.append(replace(self.providers[pid], bookings=booked))
        return facts, snapshots


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


NEXT_WEEK = timedelta(days=7)
