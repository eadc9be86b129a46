"""The ports scheduling's use cases depend on: what they need of stores and readers, as
Protocols. The Redis adapters implement them; bootstrap.py wires them; unit tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile as ProfileMessage
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain.policy import AgencyPolicy, StoredPreferences
from tenfour_scheduling.domain.records import (
    CalendarEntry,
    Claim,
    Commit,
    OfficerFacts,
    ProviderSnapshot,
    Reply,
    StoredAppointment,
    StoredRoster,
    UrgentRequest,
)
from tenfour_shared.timeline import Interval

__all__ = [
    "Appointments",
    "ConflictLog",
    "DueItems",
    "Facts",
    "FeedTokens",
    "JoinBook",
    "Officers",
    "ProviderDirectory",
    "ProviderProfiles",
    "SeriesPlans",
    "UrgentQueue",
]


class Appointments(Protocol):
    """Appointments and both calendars: the booking phases (claim, commit, seat, sync, release) and reads."""

    async def now_ms(self) -> int: ...
    async def claim(self, c: Claim) -> Reply: ...
    async def release(
        self, officer_id: str, member: str, appointment_id: str, idempotency: str = ""
    ) -> None: ...
    async def claim_entry(self, officer_id: str, member: str) -> CalendarEntry | None: ...
    async def idempotency_record(self, officer_id: str, idempotency: str) -> dict[str, bytes]: ...
    async def commit(self, c: Commit) -> Reply: ...
    async def transition(
        self, new: Appointment, expected_version: int, occupying: bool, event: Envelope
    ) -> bool: ...
    async def seat(
        self, new: Appointment, expected_version: int, deadline_ms: int, event: Envelope
    ) -> str: ...
    async def sync(
        self,
        officer_id: str,
        appointment: Appointment,
        occupying: bool,
        *,
        drop_member: str = "",
        idempotency: str = "",
        result: bytes = b"",
    ) -> None: ...
    def synced(self, officer_id: str, appointment_id: str, version: int, occupying: bool) -> bool:
        """Whether this process's own sync already put this version on the officer's calendar."""
        ...

    async def get(self, appointment_id: str) -> StoredAppointment | None: ...
    async def get_many(self, appointment_ids: Sequence[str]) -> list[StoredAppointment]: ...
    async def officer_index(
        self, officer_id: str, since: datetime | None, until: datetime | None
    ) -> list[str]: ...
    async def provider_index(
        self, provider_id: str, since: datetime | None, until: datetime | None
    ) -> list[str]: ...


class Facts(Protocol):
    """Everything one booking check or slot search reads, in one round trip."""

    async def read(
        self,
        officer_id: str,
        agency_id: str,
        window: Interval,
        provider_ids: Sequence[str] = (),
        idempotency_key: str = "",
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]: ...


class DutyFacts(Protocol):
    """An officer's roster, preferences (their own sleep window) and their agency's policy, in
    one round trip (reminder times)."""

    async def duty(
        self, officer_id: str, agency_id: str
    ) -> tuple[StoredRoster | None, AgencyPolicy, StoredPreferences | None]: ...


class SearchFacts(Protocol):
    """FindSlots' read: the officer's side and the candidates, unchanged providers from memory."""

    async def search(
        self, officer_id: str, agency_id: str, window: Interval, only: frozenset[str] | None = None
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
        """The agency's providers (``only``: those of them), in id order."""
        ...


class Officers(Protocol):
    """Officers' rosters and preferences, and agencies' policies (compare-and-set with their events)."""

    async def roster(self, officer_id: str) -> StoredRoster | None: ...
    async def put_roster(
        self, officer_id: str, message: pb.Roster, expected: int, agency_id: str, event: Envelope
    ) -> bool: ...
    async def preferences(self, officer_id: str) -> StoredPreferences | None: ...
    async def put_preferences(
        self, officer_id: str, message: pb.Preferences, event: Envelope | None = None
    ) -> None: ...
    async def policy(self, agency_id: str) -> AgencyPolicy: ...
    async def put_policy(
        self, agency_id: str, message: pb.FatiguePolicy, expected: int, event: Envelope
    ) -> bool: ...


class ProviderDirectory(Protocol):
    """The providers serving an agency (scheduling's read model of availability and identity)."""

    async def agency_provider_ids(self, agency_id: str) -> list[str]: ...


class DueItems(Protocol):
    """Members due at an instant, each sent once (removed with its event) under a lease:
    reminders, licence warnings, training warnings and lapses."""

    async def schedule(self, items: dict[str, int]) -> None: ...
    async def retime(self, items: dict[str, int]) -> int:
        """Move members still queued to new times (others are not added); how many moved."""
        ...

    async def due(self, until_ms: int, limit: int = 200) -> list[str]: ...
    async def drop(self, member: str) -> None: ...
    async def send(self, member: str, event: Envelope) -> bool: ...
    async def lease(self, holder: str, ttl_ms: int) -> bool: ...


class SeriesPlans(Protocol):
    """Planned series, kept briefly between PlanSeries and BookSeries."""

    async def put(self, officer_id: str, provider_id: str, plan: pb.SeriesPlan) -> None: ...
    async def get(self, officer_id: str, plan_id: str) -> tuple[str, pb.SeriesPlan] | None: ...
    async def put_rule(self, officer_id: str, series_id: str, rule: bytes, *, booked: bool) -> None: ...
    async def rule(self, officer_id: str, series_id: str) -> bytes | None: ...


class UrgentQueue(Protocol):
    """Urgent requests waiting per agency, connected or escalated once."""

    async def enqueue(
        self,
        request_id: str,
        officer_id: str,
        agency_id: str,
        prefer_peer: bool,
        queued_ms: int,
        escalate_ms: int,
        crisis_line_text: str,
        event: Envelope | None = None,
        offered_to: tuple[str, ...] = (),
        widen_ms: int = 0,
        tier: int = 0,
    ) -> str: ...
    async def publish(self, event: Envelope) -> None: ...
    async def active(self, officer_id: str) -> str | None: ...
    async def get(self, request_id: str) -> UrgentRequest | None: ...
    async def position(self, agency_id: str, request_id: str) -> int: ...
    async def agencies(self) -> list[str]: ...
    async def queued(self, agency_id: str) -> list[str]: ...
    async def escalate(self, request_id: str, event: Envelope) -> bool: ...
    async def widen(
        self, request_id: str, provider_ids: list[str], event: Envelope | None, next_ms: int
    ) -> bool: ...
    async def widen_now(self, request_id: str) -> None: ...
    async def set_on_call(self, provider_id: str, mode: str, ttl_seconds: int) -> None: ...
    async def on_call(self, provider_id: str) -> tuple[str, int]: ...
    async def on_call_modes(self, provider_ids: list[str]) -> dict[str, str]: ...
    async def lease(self, holder: str, ttl_ms: int) -> bool: ...


class JoinBook(Protocol):
    """Accepted urgent requests until the provider is in the room (adapters/urgent_join_store.py)."""

    async def accepted(
        self,
        r: UrgentRequest,
        appointment: Appointment,
        event: Envelope,
        taker: str,
        join_by_ms: int,
        now_ms: int,
        provider_name: str = "",
    ) -> bool: ...
    async def request_of(self, appointment_id: str) -> str | None: ...
    async def joined(self, r: UrgentRequest, participant_id: str, now_ms: int, event: Envelope) -> int: ...
    async def left(self, request_id: str, participant_id: str, deadline_ms: int) -> bool: ...
    async def ended(self, r: UrgentRequest) -> bool: ...
    async def overdue(self, now_ms: int) -> list[str]: ...
    async def forget(self, request_id: str) -> None: ...
    async def wrap_up(self, r: UrgentRequest, event: Envelope) -> str: ...
    async def replace(
        self, r: UrgentRequest, provider_id: str, withdrawn: Envelope, offered: Envelope | None
    ) -> bool: ...


class ConflictLog(Protocol):
    """Appointments (and group seats) that a change put in conflict, per officer; a group
    seat's record is its flag, written and cleared once with its event."""

    async def put(self, officer_id: str, appointment_id: str, conflict: pb.Conflict) -> None: ...
    async def flag(
        self, officer_id: str, appointment_id: str, conflict: pb.Conflict, event: Envelope
    ) -> bool: ...
    async def clear(self, officer_id: str, appointment_id: str, event: Envelope) -> bool: ...
    async def all(self, officer_id: str) -> dict[str, pb.Conflict]: ...
    async def drop(self, officer_id: str, appointment_ids: list[str]) -> None: ...
    async def checked(self, officer_id: str, roster_version: int, at_ms: int) -> None: ...
    async def last_checked(self, officer_id: str) -> tuple[int, int]: ...
    async def add_officer(self, agency_id: str, officer_id: str) -> None: ...
    async def officers(self, agency_id: str) -> list[str]: ...


class FeedTokens(Protocol):
    """Calendar feed tokens and whom they belong to."""

    async def issue(self, user_id: str, role: str, token: str) -> None: ...
    async def revoke(self, user_id: str) -> None: ...
    async def owner(self, token: str) -> tuple[str, str] | None: ...


class ProviderProfiles(Protocol):
    """Providers' profiles as identity last published them (scheduling's read model)."""

    async def profile(self, provider_id: str) -> ProfileMessage | None: ...
    async def agency_provider_ids(self, agency_id: str) -> list[str]: ...
