"""Read-model snapshots to the domain's ProviderOffer: who may be offered, and when they are free.

Availability's rules are expanded here with the shared calendar code (the same expansion the
availability service runs). Availability places a session's *buffers* inside free time too,
while the slot domain only places the session itself, so free intervals are narrowed by the
buffers: then "session inside narrowed free time" is exactly "session and buffers inside free
time", and both services agree on what is bookable.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.identity_events_pb2 import ProviderProfile as ProfileMessage
from tenfour_scheduling.domain import ProviderKind, ProviderOffer, ProviderProfile, SessionOffer
from tenfour_scheduling.domain.licensure import UNLICENSED, licensed_at, licensed_until
from tenfour_scheduling.domain.readiness import NEVER_READY, ready_at
from tenfour_scheduling.domain.records import CalendarEntry, ProviderSnapshot
from tenfour_shared.calendar import SessionSettings, SessionType, expand
from tenfour_shared.events.catalog.availability import ProviderAvailability
from tenfour_shared.timeline import Interval, intersect, subtract

__all__ = [
    "LAPSED",
    "UNLICENSED",
    "Expansions",
    "ineligibility",
    "licensed_offer",
    "provider_offer",
    "session_offer",
]

LAPSED = "this peer supporter's required training is not current"

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_MAX_NOTICE = timedelta(days=90)  # the domain's limit: more notice is never bookable in a search
_MODALITY = {
    SessionType.INDIVIDUAL: "individual",
    SessionType.GROUP: "group",
    SessionType.CRISIS: "crisis_on_call",
}


def ineligibility(
    snapshot: ProviderSnapshot,
    *,
    agency_id: str,
    officer_id: str,
    session_type: SessionType,
    current_provider: str | None,
    at: datetime | None = None,
    jurisdictions: frozenset[str] | None = None,
) -> str | None:
    """Why this provider may not be offered to this officer, or None when they may.

    ``at``: the moment the offer is for (now, or a session's start); a peer supporter whose
    required training is not current then is not offered. Without it, only a peer who was
    never ready is left out. ``jurisdictions``: where a clinician must be licensed at ``at``
    for this officer (None: no licensure rule applies, domain/licensure.py)."""
    profile = snapshot.profile
    if profile is None or snapshot.availability is None:
        return "this provider is not bookable yet"
    if not snapshot.active:
        return "this provider is not taking bookings"
    if snapshot.provider_id == officer_id:
        return "you cannot book a session with yourself"
    if agency_id not in profile.agency_ids:
        return "this provider does not serve your agency"
    if profile.modalities and _MODALITY[session_type] not in profile.modalities:
        return f"this provider does not offer {session_type.value} sessions"
    accepting = not profile.HasField("accepting_new_clients") or profile.accepting_new_clients
    if not accepting and current_provider != snapshot.provider_id:
        return "this provider is not accepting new clients"
    if profile.kind == common.PROVIDER_KIND_PEER and snapshot.roster is None:
        return "this peer supporter has not entered their roster yet"
    if not ready_at(snapshot.ready_until, at or NEVER_READY):
        return LAPSED
    if (
        jurisdictions is not None
        and profile.kind != common.PROVIDER_KIND_PEER
        and not licensed_at(snapshot.licences, jurisdictions, at or NEVER_READY)
    ):
        return UNLICENSED
    return None


def licensed_offer(
    snapshot: ProviderSnapshot, jurisdictions: frozenset[str] | None, now: datetime
) -> ProviderSnapshot:
    """The snapshot as offered to one officer: a clinician's free time ends when their licence
    for the officer's jurisdictions does (the same clipping as a peer's training)."""
    profile = snapshot.profile
    if jurisdictions is None or profile is None or profile.kind == common.PROVIDER_KIND_PEER:
        return snapshot
    until = licensed_until(snapshot.licences, jurisdictions, now)
    if until is None or (snapshot.ready_until is not None and snapshot.ready_until <= until):
        return snapshot
    return replace(snapshot, ready_until=until)


def _profile(message: ProfileMessage) -> ProviderProfile:
    gender = message.gender.strip()
    return ProviderProfile(
        specialties=frozenset(message.specialties),
        languages=frozenset(message.languages),
        gender=None if gender in ("", "undisclosed") else gender,
        first_responder_competent=message.first_responder_competent,
        licensed_jurisdictions=frozenset(message.jurisdictions),
    )


def _external_busy(availability: ProviderAvailability, window: Interval) -> list[Interval]:
    """Imported busy time; beyond the range the import covers, busy time is unknown, so
    everything there counts as busy (a provider is never offered into an unknown calendar)."""
    busy = [iv for iv in availability.external_busy if iv.overlaps(window)]
    if availability.busy_horizon is not None:
        busy += subtract([window], [availability.busy_horizon])
    return busy


class Expansions:
    """Free time per provider, rules version, session type and whole UTC days, kept in process.

    A version's rules and busy time never change, so an expansion is reusable by every search
    and booking that day; only "nothing before now" is applied per call. Least recently used
    entries go first.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], tuple[Interval, ...]] = OrderedDict()

    def free(
        self, availability: ProviderAvailability, session_type: SessionType, window: Interval, now: datetime
    ) -> list[Interval]:
        first = datetime.combine(window.start.astimezone(UTC).date(), time(0), UTC)
        last = datetime.combine((window.end.astimezone(UTC) - _TICK).date() + _DAY, time(0), UTC)
        key = (availability.provider_id, availability.version, session_type, first, last)
        free = self._items.get(key)
        if free is None:
            days = Interval(first, last)
            expanded = expand(availability.rules, days, _external_busy(availability, days))
            free = self._items[key] = expanded.free_for(session_type)
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return intersect(free, [Interval(max(window.start, now), max(window.end, now))])


def session_offer(settings: SessionSettings, free: Iterable[Interval]) -> SessionOffer | None:
    if settings.min_notice > _MAX_NOTICE:
        return None
    narrowed = [
        Interval(f.start + settings.buffer_before, f.end - settings.buffer_after)
        for f in free
        if f.duration > settings.buffer_before + settings.buffer_after
    ]
    return SessionOffer(
        free=tuple(narrowed),
        duration=settings.duration,
        buffer_before=settings.buffer_before,
        buffer_after=settings.buffer_after,
        min_notice=settings.min_notice,
        max_per_day=settings.max_per_day,
        max_per_week=settings.max_per_week,
    )


def provider_offer(
    snapshot: ProviderSnapshot,
    session_type: SessionType,
    window: Interval,
    now: datetime,
    expansions: Expansions,
    *,
    exclude: str = "",
) -> ProviderOffer | None:
    """The provider's offer of one session type in ``window``; None when it cannot be built.

    ``exclude`` leaves one appointment out of the provider's bookings (the one being moved).
    """
    availability = snapshot.availability
    profile = snapshot.profile
    if availability is None or profile is None:
        return None
    peer = profile.kind == common.PROVIDER_KIND_PEER
    if peer and snapshot.roster is None:
        return None
    sessions: dict[str, SessionOffer] = {}
    settings = availability.rules.settings(session_type)
    if settings is not None:
        free = expansions.free(availability, session_type, window, now)
        until = snapshot.ready_until
        if until is not None:  # a peer is offered only while their required training is current
            free = [Interval(f.start, min(f.end, until)) for f in free if f.start < until]
        offer = session_offer(settings, free)
        if offer is not None:
            sessions[session_type.value] = offer
    return ProviderOffer(
        provider_id=snapshot.provider_id,
        kind=ProviderKind.PEER if peer else ProviderKind.THERAPIST,
        timezone=availability.rules.timezone,
        profile=_profile(profile),
        sessions=sessions,
        bookings=tuple(_intervals([*snapshot.bookings, *snapshot.own_sessions], exclude)),
        roster=snapshot.roster.roster if peer and snapshot.roster is not None else None,
    )


def _intervals(entries: Iterable[CalendarEntry], exclude: str) -> list[Interval]:
    return [e.interval for e in entries if not exclude or e.appointment_id != exclude]
