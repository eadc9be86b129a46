"""Series: "N sessions about every K days with one provider", or N sessions on the days the
officer's rotation names ("the first day off of each block", domain/rotation_series.py), each
start optionally within preferred local hours. PlanSeries places each session on the best
valid day within ±D days of its target (a rotation day exactly) (the same slot search as FindSlots, so
every placed session fits the officer's rotation and rest rules and the provider's hours) and
keeps the plan for 15 minutes; BookSeries books the plan's sessions one by one with the
atomic Book, either all or nothing (the ones booked are cancelled when one fails) or slot by
slot with each slot's problem."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.codec.values import interval_to_proto
from tenfour_scheduling.domain import MAX_HORIZON, Slot, SlotFilters
from tenfour_scheduling.domain.reasons import Reason
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import shifts
from tenfour_scheduling.domain.rotation_series import SeriesRule, SeriesRuleRecord, series_days
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Officers, SeriesPlans
from tenfour_scheduling.service.reason_protos import reason_proto
from tenfour_scheduling.service.slots import SlotService
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import ConcurrentChange, InvalidInput, NotFound, WrongState
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

__all__ = ["SeriesService"]

MAX_COUNT = 26
MAX_EVERY_DAYS = 60
_STEP = timedelta(minutes=30)
_LIMIT = 1000


def _within(moment: time, between: tuple[time, time] | None) -> bool:
    if between is None:
        return True
    start, end = between
    return start <= moment < end if start < end else moment >= start or moment < end


def _day_order(tolerance: int) -> list[int]:
    out = [0]
    for d in range(1, tolerance + 1):
        out += [-d, d]
    return out


class SeriesService:
    def __init__(
        self,
        store: SeriesPlans,
        slots: SlotService,
        booking: Book,
        appointments: AppointmentService,
        clock: Clock,
        officers: Officers | None = None,
    ) -> None:
        self._officers = officers
        self._store = store
        self._slots = slots
        self._booking = booking
        self._appointments = appointments
        self._clock = clock

    async def plan(
        self,
        *,
        officer_id: str,
        agency_id: str,
        provider_id: str,
        count: int,
        every_days: int,
        tolerance_days: int,
        not_before: datetime | None,
        rule: SeriesRule | None = None,
        every_kth: int = 1,
        between: tuple[time, time] | None = None,
    ) -> pb.SeriesPlan:
        problems = []
        if not 1 <= count <= MAX_COUNT:
            problems.append(("count", f"must be between 1 and {MAX_COUNT}"))
        if rule is not None:
            if rule is SeriesRule.EVERY_KTH_DAY_OFF and not 1 <= every_kth <= 14:
                problems.append(("every_kth", "must be between 1 and 14"))
        elif not 1 <= every_days <= MAX_EVERY_DAYS:
            problems.append(("every_days", f"must be between 1 and {MAX_EVERY_DAYS}"))
        elif not 0 <= tolerance_days <= (every_days - 1) // 2:
            problems.append(
                ("tolerance_days", f"must be between 0 and {(every_days - 1) // 2} (under half the spacing)")
            )
        if problems:
            raise InvalidInput.single(*problems[0])
        now = self._clock()
        first = max(now, not_before) if not_before is not None else now
        targets: list[date] | None = None
        record: SeriesRuleRecord | None = None
        if rule is not None:
            targets = await self._rotation_days(officer_id, rule, every_kth, first, now, count)
            span = min(MAX_HORIZON, max(first - now, timedelta(0)) + timedelta(days=1))
            if targets:
                zone = load_zone((await self._roster(officer_id)).zone)
                span = min(MAX_HORIZON, local_to_utc(targets[-1] + timedelta(days=1), time(0), zone) - now)
            tolerance_days = 0
            zone_now = load_zone((await self._roster(officer_id)).zone)
            record = SeriesRuleRecord(rule, first.astimezone(zone_now).date(), every_kth, between)
        else:
            span = (first - now) + timedelta(days=(count - 1) * every_days + tolerance_days + 1)
        if span > MAX_HORIZON:
            raise InvalidInput.single(
                "count", f"the series would reach {span.days} days ahead; at most {MAX_HORIZON.days}"
            )
        search = await self._slots.find(
            officer_id=officer_id,
            agency_id=agency_id,
            session_type=SessionType.INDIVIDUAL,
            filters=SlotFilters(),
            horizon=span,
            limit=_LIMIT,
            only=frozenset({provider_id}),
            step=_STEP,
        )
        if provider_id not in search.providers:
            raise NotFound("no such provider for your agency")
        best: dict[date, Slot] = {}
        for slot in search.result.slots:  # best first: keep each day's best
            if slot.start >= first and _within(slot.local_start.time(), between):
                best.setdefault(slot.local_start.date(), slot)
        start_day = first.astimezone(load_zone(search.zone)).date()
        plan = pb.SeriesPlan(plan_id=secrets.token_hex(12))
        previous: date | None = None
        for i in range(count):
            if targets is not None and i >= len(targets):
                why = Reason("no_roster_day", "your roster has no such day in the next 90 days")
                plan.slots.add(index=i, problem=why.text, problem_reason=reason_proto(why))
                continue
            target = targets[i] if targets is not None else start_day + timedelta(days=i * every_days)
            chosen = next(
                (
                    best[target + timedelta(days=d)]
                    for d in _day_order(tolerance_days)
                    if target + timedelta(days=d) in best
                    and (previous is None or target + timedelta(days=d) > previous)
                ),
                None,
            )
            if chosen is None:
                why = (
                    Reason(
                        "no_fit_on_day",
                        f"no time with this provider fits your shifts and sleep on {target.isoformat()}"
                        + (" within the hours you chose" if between else ""),
                        (("day", target.isoformat()), ("between", "1" if between else "")),
                    )
                    if targets is not None
                    else Reason(
                        "no_fit_near_day",
                        f"no time with this provider fits your rotation within {tolerance_days} "
                        f"day(s) of {target.isoformat()}",
                        (("day", target.isoformat()), ("days", str(tolerance_days))),
                    )
                )
                plan.slots.add(index=i, problem=why.text, problem_reason=reason_proto(why))
                continue
            previous = chosen.local_start.date()
            plan.slots.add(index=i, time=interval_to_proto(Interval(chosen.start, chosen.end)))
        await self._store.put(officer_id, provider_id, plan)
        if record is not None:  # kept with the plan; for the series' life once booked (re-planning)
            await self._store.put_rule(officer_id, f"series-{plan.plan_id}", record.encode(), booked=False)
        return plan

    async def _roster(self, officer_id: str) -> Roster:
        stored = await self._officers.roster(officer_id) if self._officers is not None else None
        if stored is None:
            raise WrongState("enter your shift roster first: a rotation series follows it")
        return stored.roster

    async def _rotation_days(
        self, officer_id: str, rule: SeriesRule, k: int, first: datetime, now: datetime, count: int
    ) -> list[date]:
        roster = await self._roster(officer_id)
        zone = load_zone(roster.zone)
        first_day = first.astimezone(zone).date()
        last_day = (now + MAX_HORIZON).astimezone(zone).date() - timedelta(days=1)
        window = Interval(
            local_to_utc(first_day - timedelta(days=2), time(0), zone),
            local_to_utc(last_day + timedelta(days=2), time(0), zone),
        )
        return series_days(shifts(roster, window), rule, first_day, last_day, zone, k)[:count]

    async def book(
        self, *, officer_id: str, agency_id: str, plan_id: str, all_or_nothing: bool, idempotency_key: str
    ) -> pb.BookSeriesResponse:
        stored = await self._store.get(officer_id, plan_id) if plan_id else None
        if stored is None:
            raise WrongState("this series plan has expired or does not exist; plan it again")
        provider_id, plan = stored
        series_id = f"series-{plan.plan_id}"
        reply = pb.BookSeriesResponse(series_id=series_id)
        for slot in plan.slots:
            if slot.problem:
                reply.failed.append(slot)
        if reply.failed and all_or_nothing:
            return reply
        for slot in plan.slots:
            if slot.problem:
                continue
            try:
                booked = await self._booking.book(
                    officer_id=officer_id,
                    agency_id=agency_id,
                    provider_id=provider_id,
                    session_type=SessionType.INDIVIDUAL,
                    start=slot.time.start.ToDatetime(tzinfo=UTC),
                    idempotency_key=f"{idempotency_key}#series{slot.index}",
                    series_id=series_id,
                )
            except (WrongState, ConcurrentChange) as exc:  # a reused key's mismatch still raises
                reply.failed.add(index=slot.index, time=slot.time, problem=exc.message)
                if all_or_nothing:
                    break
                continue
            reply.booked.append(booked)
        if reply.failed and all_or_nothing:
            for a in reply.booked:
                await self._appointments.withdraw(a.appointment_id, "series_rolled_back")
            del reply.booked[:]
        raw = await self._store.rule(officer_id, series_id) if reply.booked else None
        if raw is not None:  # a rotation series: its rule re-plans a session the roster moves
            record = SeriesRuleRecord.decode(raw)
            starts = {s.time.start.ToDatetime(tzinfo=UTC): s.index for s in plan.slots if not s.problem}
            for a in reply.booked:
                record.index[a.appointment_id] = starts.get(a.time.start.ToDatetime(tzinfo=UTC), -1)
            await self._store.put_rule(officer_id, series_id, record.encode(), booked=True)
        return reply
