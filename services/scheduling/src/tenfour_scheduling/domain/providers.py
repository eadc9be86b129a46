"""What providers offer, as the slot search needs it, and the officer's search filters.

The wiring layer adapts availability rule expansion (shared calendar code) into these
values, so the domain depends on no other package's types.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.timeline import Interval, as_utc, load_zone

__all__ = [
    "Officer",
    "ProviderKind",
    "ProviderOffer",
    "ProviderProfile",
    "SessionOffer",
    "SlotFilters",
    "utc_intervals",
]

_DAY = timedelta(days=1)


def utc_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Intervals with UTC bounds. Aware datetimes in a local zone compare and add by wall
    clock when they share the zone, which is wrong across DST changes; UTC never is."""
    return tuple(
        iv if iv.start.tzinfo is UTC and iv.end.tzinfo is UTC else Interval(as_utc(iv.start), as_utc(iv.end))
        for iv in intervals
    )


class ProviderKind(StrEnum):
    THERAPIST = "therapist"
    PEER = "peer"


class ProviderProfile(ValidatedModel):
    specialties: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()  # BCP 47 tags, e.g. "en", "fr-CA"
    gender: str | None = None
    first_responder_competent: bool = False
    licensed_jurisdictions: frozenset[str] = frozenset()  # e.g. "US-CA"


class SessionOffer(ValidatedModel):
    """One session type as a provider offers it.

    ``free`` is the provider's expanded availability for this type (any order, may overlap).
    Buffers are reserved around every session, so two sessions are at least
    ``buffer_after + buffer_before`` apart; existing bookings get the same buffers. The caps
    count all the provider's bookings per local date and per local ISO week (Monday first).
    """

    free: tuple[Interval, ...]
    duration: timedelta = Field(gt=timedelta(0), le=timedelta(hours=8))
    buffer_before: timedelta = Field(default=timedelta(0), ge=timedelta(0), le=timedelta(hours=4))
    buffer_after: timedelta = Field(default=timedelta(0), ge=timedelta(0), le=timedelta(hours=4))
    min_notice: timedelta = Field(default=timedelta(0), ge=timedelta(0), le=timedelta(days=90))
    max_per_day: int | None = Field(default=None, ge=1)
    max_per_week: int | None = Field(default=None, ge=1)

    _utc_free = field_validator("free")(utc_intervals)


class ProviderOffer(ValidatedModel):
    provider_id: str = Field(min_length=1)
    kind: ProviderKind
    timezone: str  # the provider's IANA zone: caps count the provider's local days
    profile: ProviderProfile = Field(default_factory=ProviderProfile)
    sessions: dict[str, SessionOffer]  # by session type
    bookings: tuple[Interval, ...] = ()  # existing sessions, without buffers
    # A peer supporter is an officer too: their offered time is cut by their own roster.
    roster: Roster | None = Field(default=None, validate_default=True)

    _utc_bookings = field_validator("bookings")(utc_intervals)

    @field_validator("timezone", mode="after")
    @classmethod
    def _zone(cls, value: str) -> str:
        load_zone(value)
        return value

    @field_validator("roster", mode="after")
    @classmethod
    def _peer_roster(cls, value: Roster | None, info: ValidationInfo) -> Roster | None:
        if value is None and info.data.get("kind") is ProviderKind.PEER:
            raise ValueError("a peer supporter's offer needs their roster")
        return value


class Officer(ValidatedModel):
    """The officer searching: only what filters and ranking need."""

    officer_id: str = Field(min_length=1)
    jurisdiction: str | None = None  # where they are, for the licensing filter
    current_provider_id: str | None = None  # for continuity of care


class SlotFilters(ValidatedModel):
    """Unset fields do not filter. Text matches ignore case; a bare language ("fr") also
    matches regional tags ("fr-CA"). ``specialties`` must all be offered; of ``languages``
    one is enough (the single-valued fields are the one-item case)."""

    kind: ProviderKind | None = None
    specialty: str | None = None
    language: str | None = None
    gender: str | None = None
    first_responder_competent: bool = False
    licensed_in_jurisdiction: bool = False
    continuity_only: bool = False
    specialties: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def matches(self, offer: ProviderOffer, officer: Officer) -> bool:
        profile = offer.profile
        offered = {_folded(s) for s in profile.specialties}
        wanted_specialties = {_folded(s) for s in self.specialties} | (
            {_folded(self.specialty)} if self.specialty is not None else set()
        )
        wanted_languages = [*self.languages, *([self.language] if self.language is not None else [])]
        return (
            (self.kind is None or offer.kind is self.kind)
            and wanted_specialties <= offered
            and (
                not wanted_languages
                or any(_language_matches(w, tag) for w in wanted_languages for tag in profile.languages)
            )
            and (self.gender is None or _folded(self.gender) == _folded(profile.gender or ""))
            and (not self.first_responder_competent or profile.first_responder_competent)
            and (
                not self.licensed_in_jurisdiction
                or (
                    officer.jurisdiction is not None
                    and _folded(officer.jurisdiction) in {_folded(j) for j in profile.licensed_jurisdictions}
                )
            )
            and (not self.continuity_only or offer.provider_id == officer.current_provider_id)
        )

    def describe(self) -> str:
        """The active filters, e.g. "language=fr, kind=peer"."""
        parts = []
        for name in ("kind", "specialty", "language", "gender"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        if self.specialties:
            parts.append(f"specialties={'+'.join(sorted(self.specialties))}")
        if self.languages:
            parts.append(f"languages={'/'.join(sorted(self.languages))}")
        for name in ("first_responder_competent", "licensed_in_jurisdiction", "continuity_only"):
            if getattr(self, name):
                parts.append(name.replace("_", " "))
        return ", ".join(parts) or "none"


def _folded(text: str) -> str:
    return text.strip().casefold()


def _language_matches(wanted: str, tag: str) -> bool:
    want, have = _folded(wanted), _folded(tag)
    return want == have or ("-" not in want and have.split("-", 1)[0] == want)
