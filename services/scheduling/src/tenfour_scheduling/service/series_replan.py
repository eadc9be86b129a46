"""Re-planning a session of a rotation series when the roster changes.

A rotation series ("the first day off of each block", domain/rotation_series.py) keeps its rule
once booked. When one of its sessions no longer fits (a conflict, service/conflicts.py), the rule
is applied again to the officer's roster as it is now: the session's place in the series names a
new day, and the best time with the same provider on that day (within the chosen hours) comes
first among the conflict's alternatives, said as such. Nothing is moved without the officer.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.codec.values import interval_to_proto
from tenfour_scheduling.domain import MAX_HORIZON, SlotFilters
from tenfour_scheduling.domain.reasons import Reason
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import shifts
from tenfour_scheduling.domain.rotation_series import SeriesRuleRecord, series_days
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Officers, SeriesPlans
from tenfour_scheduling.service.reason_protos import reason_protos
from tenfour_scheduling.service.slots import SlotService
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

__all__ = ["SeriesReplanner", "within"]

_STEP = timedelta(minutes=30)
_LIMIT = 1000


def within(moment: time, between: tuple[time, time] | None) -> bool:
    """``moment`` lies in the local hours ``between`` (which may run past midnight)."""
    if between is None:
        return True
    start, end = between
    return start <= moment < end if start < end else moment >= start or moment < end


class SeriesReplanner:
    def __init__(self, store: SeriesPlans, officers: Officers, slots: SlotService, clock: Clock) -> None:
        self._store = store
        self._officers = officers
        self._slots = slots
        self._clock = clock

    async def replanned(self, officer_id: str, a: Appointment) -> pb.Slot | None:
        """The time the series' rule now names for this session, if it is from a rotation series
        and a time with the same provider fits on that day; else None."""
        if not a.series_id:
            return None
        raw = await self._store.rule(officer_id, a.series_id)
        stored = await self._officers.roster(officer_id)
        if raw is None or stored is None:
            return None
        record = SeriesRuleRecord.decode(raw)
        place = record.index.get(a.appointment_id)
        if place is None or place < 0:
            return None
        target = self._day(record, place, stored.roster)
        now = self._clock()
        zone = load_zone(stored.roster.zone)
        if target is None or target < now.astimezone(zone).date():
            return None
        horizon = min(MAX_HORIZON, local_to_utc(target + timedelta(days=1), time(0), zone) - now)
        search = await self._slots.find(
            officer_id=officer_id,
            agency_id=a.agency_id,
            session_type=SessionType.INDIVIDUAL,
            filters=SlotFilters(),
            horizon=horizon,
            limit=_LIMIT,
            exclude=a.appointment_id,
            only=frozenset({a.provider_id}),
            step=_STEP,
        )
        slot = next(
            (
                s
                for s in search.result.slots  # best first
                if s.local_start.date() == target
                and s.start > now
                and within(s.local_start.time(), record.between)
            ),
            None,
        )
        if slot is None:
            return None
        why = Reason("rotation_series_day", record.label, (("rule", record.rule.value),))
        snapshot = search.providers.get(a.provider_id)
        profile = snapshot.profile if snapshot is not None else None
        return pb.Slot(
            provider_id=slot.provider_id,
            provider_display_name=profile.display_name if profile is not None else "",
            time=interval_to_proto(Interval(slot.start, slot.end)),
            local_start=slot.local_start.isoformat(),
            reason=f"{why.text}; {slot.reason}" if slot.reason else why.text,
            reasons=reason_protos((why, *slot.reasons)),
            score=1.0,
        )

    def _day(self, record: SeriesRuleRecord, place: int, roster: Roster) -> date | None:
        zone = load_zone(roster.zone)
        last = (self._clock() + MAX_HORIZON).astimezone(zone).date()
        window = Interval(
            local_to_utc(record.first_day - timedelta(days=2), time(0), zone),
            local_to_utc(last + timedelta(days=2), time(0), zone),
        )
        days = series_days(shifts(roster, window), record.rule, record.first_day, last, zone, record.k)
        return days[place] if place < len(days) else None
