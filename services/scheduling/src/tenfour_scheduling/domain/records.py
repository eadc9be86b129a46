"""What the use cases read and write through their ports (service/ports.py): stored
appointments and rosters, calendar entries, the officer's and providers' facts a check reads,
and the requests of the two booking phases (see adapters/appointment_store.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain.licensure import Licence
from tenfour_scheduling.domain.policy import AgencyPolicy, StoredPreferences
from tenfour_scheduling.domain.roster import Roster
from tenfour_shared.events.catalog.availability import ProviderAvailability
from tenfour_shared.timeline import Interval

__all__ = [
    "CLAIM_TTL_MS",
    "CONNECTED",
    "ESCALATED",
    "QUEUED",
    "CalendarEntry",
    "Claim",
    "Commit",
    "OfficerFacts",
    "ProviderSnapshot",
    "Reply",
    "StoredAppointment",
    "StoredRoster",
    "UrgentRequest",
    "from_ms",
    "new_appointment_id",
    "to_ms",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Exact milliseconds since the epoch (no float rounding)."""
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return _EPOCH + ms * _MS


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    member: str  # appointment id, or a claim's id
    interval: Interval
    claim: bool  # a phase-1 claim not yet confirmed (counts as busy)
    deadline_ms: int  # claims only: the provider side refuses to commit after it
    other: str  # the other party (provider id on an officer's calendar)

    @property
    def appointment_id(self) -> str:
        """Claims for a move are named ``<appointment id>><new start ms>``."""
        return self.member.partition(">")[0]


@dataclass(frozen=True, slots=True)
class StoredRoster:
    message: pb.Roster  # canonical, with officer_id and version
    roster: Roster

    @property
    def version(self) -> int:
        return self.message.version


CLAIM_TTL_MS = 30_000  # a claim dies this long after it was taken


@dataclass(frozen=True, slots=True)
class Reply:
    code: str
    values: tuple[bytes, ...]

    def text(self, i: int) -> str:
        return self.values[i].decode()


@dataclass(frozen=True, slots=True)
class StoredAppointment:
    appointment: Appointment
    version: int


@dataclass(frozen=True, slots=True)
class Claim:
    """Phase 1 for one officer."""

    officer_id: str
    member: str  # the appointment id (a booking) or "<id>><start ms>" (a move)
    appointment_id: str
    provider_id: str
    time: Interval
    probe: Interval  # the session widened by its buffers: nothing of the officer's may overlap
    day: Interval  # the officer-local day the session starts on
    max_per_day: int
    roster_version: int
    skip: str = ""  # the appointment being moved: ignored by the checks
    fingerprint: str = ""  # "" = no idempotency record
    idempotency: str = ""  # digest naming the record


@dataclass(frozen=True, slots=True)
class Commit:
    """Phase 2 in the provider's slot."""

    mode: str  # book | move
    appointment: Appointment
    expected_version: int  # move: the version the move was computed from
    rules_version: int
    profile_version: int
    roster_version: int
    probe: Interval
    day: Interval
    day_cap: int  # 0: no cap
    week: Interval
    week_cap: int
    deadline_ms: int
    event: Envelope


@dataclass(frozen=True, slots=True)
class ProviderSnapshot:
    provider_id: str
    rules_version: int
    availability: ProviderAvailability | None  # None: no (valid) rules yet
    profile_version: int
    profile: ProviderProfile | None  # None: no profile yet
    deactivated: bool
    roster_version: int  # the provider's own roster (peer supporters), 0 when none
    roster: StoredRoster | None
    bookings: tuple[CalendarEntry, ...]  # the provider's sessions near the window
    own_sessions: tuple[CalendarEntry, ...]  # a peer supporter's sessions as an officer
    # A peer supporter's required training is current until then (None: no end or no
    # requirement); from then on they are not offered (domain/readiness.py).
    ready_until: datetime | None = None
    licences: tuple[Licence, ...] = ()  # a clinician's licences (domain/licensure.py)

    @property
    def active(self) -> bool:
        return (
            not self.deactivated
            and self.availability is not None
            and self.availability.active
            and self.profile is not None
            and self.profile.active
        )


@dataclass(frozen=True, slots=True)
class OfficerFacts:
    officer_id: str
    agency_id: str
    roster: StoredRoster | None
    policy: AgencyPolicy
    entries: tuple[CalendarEntry, ...]  # booked sessions and claims a day either side of the window
    current_provider: str | None
    preferences: StoredPreferences | None
    idempotency: dict[str, bytes]  # empty: no record (or none asked for)


def new_appointment_id(provider_id: str) -> str:
    return f"{provider_id}.{secrets.token_hex(8)}"


# An urgent request's states (urgent_offer_store also writes "accepting" and "cancelled").
QUEUED, CONNECTED, ESCALATED = "queued", "connected", "escalated"
ACCEPTED, ENDED = "accepted", "ended"  # booked with the taker, not in the room yet; session over


@dataclass(frozen=True, slots=True)
class UrgentRequest:
    request_id: str
    officer_id: str
    agency_id: str
    prefer_peer: bool
    state: str
    queued_ms: int
    escalate_ms: int
    crisis_line_text: str
    appointment: Appointment | None
    alerted: int = 0  # providers the request was offered to
    widen_ms: int = 0  # when it is next offered to more providers
    tier: int = 0  # 0: on call now; 1: widened to every eligible crisis provider
    first_accepted_ms: int = 0  # the first accept, kept when that provider is replaced
    provider_name: str = ""  # the professional name of who accepted, for the officer's page
