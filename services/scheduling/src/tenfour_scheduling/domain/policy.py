"""What an agency configures (fatigue rules and booking settings) and what an officer prefers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from tenfour_scheduling.domain.fatigue import FatiguePolicy
from tenfour_scheduling.domain.preferences import OfficerPreferences

__all__ = ["AgencyPolicy", "StoredPreferences", "personal_fatigue"]


@cache
def _default_fatigue() -> FatiguePolicy:
    """The default rules, built once (an immutable model; validating it costs a search ~30 µs)."""
    return FatiguePolicy()


@dataclass(frozen=True, slots=True)
class AgencyPolicy:
    """An agency's fatigue rules plus the booking settings the agency configures with them."""

    agency_id: str
    fatigue: FatiguePolicy
    late_cancel_window: timedelta = timedelta(hours=24)
    urgent_escalate_after: timedelta = timedelta(minutes=3)
    urgent_widen_after: timedelta = timedelta(seconds=60)
    crisis_line_text: str = ""
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    version: int = 0  # 0: never set, the defaults
    # Interstate compacts: clinicians licensed in these are accepted for every officer.
    compact_jurisdictions: tuple[str, ...] = ()

    @classmethod
    def default(cls, agency_id: str) -> AgencyPolicy:
        return cls(agency_id=agency_id, fatigue=_default_fatigue())


@dataclass(frozen=True, slots=True)
class StoredPreferences:
    preferences: OfficerPreferences
    jurisdiction: str | None = None
    languages: tuple[str, ...] = ()


def personal_fatigue(fatigue: FatiguePolicy, stored: StoredPreferences | None) -> FatiguePolicy:
    """The agency's rules with the officer's own usual sleep window, when they set one."""
    sleep = stored.preferences.usual_sleep if stored is not None else None
    if sleep is None:
        return fatigue
    return fatigue.model_copy(update={"usual_sleep_start": sleep.start, "usual_sleep_end": sleep.end})
