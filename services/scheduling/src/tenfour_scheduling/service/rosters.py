"""Rosters, the agency's fatigue policy, the officer's preferences, and what they leave free.

Every roster or policy change is validated whole before anything is written, then stored with
its event in one compare-and-set step, so a refused change leaves the stored one untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.codec.policies import policy_from_proto, policy_to_proto, preferences_to_proto
from tenfour_scheduling.codec.rosters import roster_from_proto, roster_to_proto
from tenfour_scheduling.domain import (
    OffDutyResult,
    OfficerPreferences,
    Roster,
    RosterImport,
    Shift,
    import_roster_ics,
    off_duty_windows,
    shifts,
)
from tenfour_scheduling.domain.policy import AgencyPolicy, StoredPreferences, personal_fatigue
from tenfour_scheduling.domain.records import StoredRoster
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Officers
from tenfour_shared.errors import ConcurrentChange, NotFound
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["RosterService"]

ATTEMPTS = 8
IMPORT_PAST = timedelta(days=31)
IMPORT_AHEAD = timedelta(days=366)
_Change = Callable[[StoredRoster | None], pb.Roster]


class RosterService:
    def __init__(self, officers: Officers, clock: Clock) -> None:
        self._officers = officers
        self._clock = clock

    async def roster(self, officer_id: str) -> StoredRoster:
        stored = await self._officers.roster(officer_id)
        if stored is None:
            raise NotFound("no roster yet: set one with SetRoster or ImportRosterCalendar")
        return stored

    async def set_roster(
        self, officer_id: str, agency_id: str, roster: Roster, template: str = ""
    ) -> pb.Roster:
        message = roster_to_proto(roster, officer_id=officer_id, template=template)
        return await self._replace(officer_id, agency_id, lambda _: message)

    async def import_calendar(
        self, officer_id: str, agency_id: str, ics: str, timezone: str
    ) -> tuple[pb.Roster, RosterImport]:
        now = self._clock()
        imported = import_roster_ics(
            ics, window=Interval(now - IMPORT_PAST, now + IMPORT_AHEAD), zone=timezone or None
        )
        message = roster_to_proto(imported.roster, officer_id=officer_id)
        return await self._replace(officer_id, agency_id, lambda _: message), imported

    async def add_override(self, officer_id: str, agency_id: str, override: pb.RosterOverride) -> pb.Roster:
        """Appended to the stored roster; the whole roster is validated again."""

        def change(current: StoredRoster | None) -> pb.Roster:
            if current is None:
                raise NotFound("no roster yet: set one with SetRoster before adding overrides")
            message = pb.Roster()
            message.CopyFrom(current.message)
            message.overrides.append(override)
            roster = roster_from_proto(message)  # errors name overrides[n]: the entrypoint renames
            return roster_to_proto(roster, officer_id=officer_id, template=current.message.template)

        return await self._replace(officer_id, agency_id, change)

    async def _replace(self, officer_id: str, agency_id: str, change: _Change) -> pb.Roster:
        for _ in range(ATTEMPTS):
            current = await self._officers.roster(officer_id)
            message = change(current)
            version = current.version if current is not None else 0
            event = build(
                ev.RosterChanged(officer_id=officer_id, version=version + 1, agency_id=agency_id),
                subject=officer_id,
                when=self._clock(),
            )
            if await self._officers.put_roster(officer_id, message, version, agency_id, event):
                out = pb.Roster()
                out.CopyFrom(message)
                out.version = version + 1
                return out
        raise ConcurrentChange("the roster is being changed elsewhere; retry")

    async def shifts(self, officer_id: str, window: Interval) -> list[Shift]:
        return shifts((await self.roster(officer_id)).roster, window)

    async def off_duty(self, officer_id: str, agency_id: str, window: Interval) -> OffDutyResult:
        roster = (await self.roster(officer_id)).roster
        policy = await self._officers.policy(agency_id)
        stored = await self.preferences(officer_id)
        return off_duty_windows(roster, personal_fatigue(policy.fatigue, stored), window, officer=True)

    # -- policy and preferences -------------------------------------------------------------

    async def policy(self, agency_id: str) -> AgencyPolicy:
        return await self._officers.policy(agency_id)

    async def set_policy(self, agency_id: str, request: pb.FatiguePolicy) -> AgencyPolicy:
        parsed = policy_from_proto(request, agency_id)  # validated before anything is read
        for _ in range(ATTEMPTS):
            current = await self._officers.policy(agency_id)
            new = replace(parsed, version=current.version + 1)
            event = build(
                ev.FatiguePolicyChanged(agency_id=agency_id, version=new.version),
                subject=agency_id,
                when=self._clock(),
            )
            if await self._officers.put_policy(agency_id, policy_to_proto(new), current.version, event):
                return new
        raise ConcurrentChange("the policy is being changed elsewhere; retry")

    async def agency_registered(self, agency_id: str, crisis_line_text: str) -> None:
        """The crisis line given when the agency was created becomes its officers' line, unless
        the coordinator has set one here already (theirs is newer). A redelivery finds it set."""
        if not crisis_line_text:
            return
        for _ in range(ATTEMPTS):
            current = await self._officers.policy(agency_id)
            if current.crisis_line_text:
                return
            new = replace(current, crisis_line_text=crisis_line_text[:500], version=current.version + 1)
            event = build(
                ev.FatiguePolicyChanged(agency_id=agency_id, version=new.version),
                subject=agency_id,
                when=self._clock(),
            )
            if await self._officers.put_policy(agency_id, policy_to_proto(new), current.version, event):
                return
        raise ConcurrentChange("the policy is being changed elsewhere; retry")

    async def preferences(self, officer_id: str) -> StoredPreferences:
        return await self._officers.preferences(officer_id) or StoredPreferences(OfficerPreferences())

    async def set_preferences(
        self, officer_id: str, stored: StoredPreferences, agency_id: str = ""
    ) -> pb.Preferences:
        """Stored; when the usual sleep or the jurisdiction changed, with the event after which
        their booked sessions are re-checked (conflicts with alternatives, as for a roster)."""
        message = preferences_to_proto(stored, officer_id)
        event = None
        if _rechecked(await self._officers.preferences(officer_id)) != _rechecked(stored):
            changed = ev.OfficerPreferencesChanged(officer_id=officer_id, agency_id=agency_id)
            event = build(changed, subject=officer_id, when=self._clock())
        await self._officers.put_preferences(officer_id, message, event)
        return message

    async def enrolled_in(self, officer_id: str, jurisdiction: str) -> None:
        """Where the officer said they live at enrolment becomes their jurisdiction preference,
        unless they set one since (a redelivered event changes nothing)."""
        stored = await self.preferences(officer_id)
        if not stored.jurisdiction:
            with_it = replace(stored, jurisdiction=jurisdiction.upper())
            await self._officers.put_preferences(officer_id, preferences_to_proto(with_it, officer_id))

    def now(self) -> datetime:
        return self._clock()


def _rechecked(stored: StoredPreferences | None) -> tuple[object, str | None]:
    """What of the preferences decides whether a booked session still fits."""
    return (stored.preferences.usual_sleep, stored.jurisdiction) if stored is not None else (None, None)
