"""Seeding through availability and scheduling: providers' hours and the demo bookings."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tenfour.availability.v1 import availability_pb2 as avp
from tenfour.availability.v1 import rules_pb2
from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import appointments_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.seed.cast import (
    BOOKINGS,
    CRISIS_ON_CALL,
    OVERNIGHT_DAYS,
    PEER,
    PREFERRED_WAIT,
    THERAPISTS,
    ZONE,
)
from tenfour_cli.seed.plumbing import SeederBase


class CalendarSteps(SeederBase):
    # -- availability ------------------------------------------------------------------------

    def _availability(self) -> None:
        for key in (*(t.key for t in THERAPISTS), PEER.key):
            self._provider_hours(key, overnight=key == THERAPISTS[0].key)

    def _provider_hours(self, key: str, *, overnight: bool) -> None:
        token = self.token(key)
        request = avp.UseDefaultRulesRequest(provider_id=self._account(key).user_id, timezone=ZONE)
        rules = self._optional(
            "AvailabilityService/UseDefaultRules",
            lambda: self._call(self.clients.availability.UseDefaultRules, request, token, "default hours"),
        )
        if rules is not None and overnight:
            self._optional("AvailabilityService/SetRules", lambda: self._overnight(token, rules))
        if rules is not None and key == CRISIS_ON_CALL:
            self._optional("AvailabilityService/SetRules", lambda: self._crisis_on_call(token, rules))

    def _crisis_on_call(self, token: str, rules: rules_pb2.RuleSet) -> rules_pb2.RuleSet:
        """Crisis sessions around the clock, so "talk to someone now" connects in the demo at once.

        Windows of one day may not overlap, so the day is tiled: crisis before and after the
        09:00-17:00 hours, which offer both kinds; whole days at weekends.
        """
        if any(common.SESSION_TYPE_CRISIS in w.offers for w in rules.weekly):
            return rules
        updated = rules_pb2.RuleSet()
        updated.CopyFrom(rules)
        del updated.weekly[:]
        midnight, nine, five = common.LocalTime(hour=0), common.LocalTime(hour=9), common.LocalTime(hour=17)
        crisis, both = (
            [common.SESSION_TYPE_CRISIS],
            [common.SESSION_TYPE_INDIVIDUAL, common.SESSION_TYPE_CRISIS],
        )
        weekdays = {w.weekday for w in rules.weekly}
        for day in range(common.WEEKDAY_MONDAY, common.WEEKDAY_SUNDAY + 1):
            if day in weekdays:
                updated.weekly.add(weekday=day, start=midnight, end=nine, offers=crisis)
                updated.weekly.add(weekday=day, start=nine, end=five, offers=both)
                updated.weekly.add(weekday=day, start=five, end=midnight, offers=crisis)
            else:  # start == end: the whole day
                updated.weekly.add(weekday=day, start=midnight, end=midnight, offers=crisis)
        request = avp.SetRulesRequest(rules=updated, expected_version=rules.version)
        return self._call(self.clients.availability.SetRules, request, token, "crisis on-call hours")

    def _overnight(self, token: str, rules: rules_pb2.RuleSet) -> rules_pb2.RuleSet:
        """Mon-Thu 21:00-01:00: windows across midnight, for officers coming off a day shift."""
        start, end = common.LocalTime(hour=21), common.LocalTime(hour=1)
        have = {(w.weekday, w.start.hour, w.start.minute) for w in rules.weekly}
        updated = rules_pb2.RuleSet()
        updated.CopyFrom(rules)
        for day in OVERNIGHT_DAYS:
            if (day, 21, 0) not in have:
                updated.weekly.add(weekday=day, start=start, end=end, offers=[common.SESSION_TYPE_INDIVIDUAL])
        if len(updated.weekly) == len(rules.weekly):
            return rules
        request = avp.SetRulesRequest(rules=updated, expected_version=rules.version)
        return self._call(self.clients.availability.SetRules, request, token, "overnight hours")

    # -- bookings ----------------------------------------------------------------------------

    def _book_all(self) -> None:
        deadline = time.monotonic() + self.slot_wait
        booked = {b["officer"] for b in self.state["bookings"]}
        for key, kind, soonest in BOOKINGS:
            if key in booked:
                continue
            searched = self._optional(
                "SchedulingService/FindSlots", functools.partial(self._book, key, kind, soonest, deadline)
            )
            if searched is None:
                return  # no slot search yet: nothing can be booked

    def _wait_for_slots(
        self, token: str, kind: common.ProviderKind.ValueType, deadline: float
    ) -> scp.FindSlotsResponse:
        found = self._slots(token, kind)
        while not found.slots and time.monotonic() < deadline:
            time.sleep(0.5)
            found = self._slots(token, kind)
        return found

    def _slots(self, token: str, kind: common.ProviderKind.ValueType) -> scp.FindSlotsResponse:
        request = scp.FindSlotsRequest(
            session_type=common.SESSION_TYPE_INDIVIDUAL,
            filters=scp.SlotFilters(provider_kind=kind),
            limit=20,
        )
        return self._call(self.clients.scheduling.FindSlots, request, token, "find slots")

    def _book(self, key: str, kind: common.ProviderKind.ValueType, soonest: bool, deadline: float) -> bool:
        token = self.token(key)
        mine = self._optional(
            "SchedulingService/ListAppointments",
            lambda: self._call(
                self.clients.scheduling.ListAppointments, scp.ListAppointmentsRequest(), token
            ),
        )
        earlier = [
            a
            for a in (mine.appointments if mine else [])
            if a.status == appointments_pb2.APPOINTMENT_STATUS_BOOKED
        ]
        if earlier:  # booked by an interrupted run
            first = earlier[0]
            self._record(
                key, first.appointment_id, first.provider_id, first.time.start.ToDatetime(tzinfo=UTC)
            )
            return True
        # Providers' hours and profiles reach scheduling as events: wait until slots show up,
        # a little longer for the preferred kind of provider, then take any kind.
        found = self._wait_for_slots(token, common.PROVIDER_KIND_UNSPECIFIED, deadline)
        preferred = found
        if found.slots and kind:
            preferred = self._wait_for_slots(token, kind, min(deadline, time.monotonic() + PREFERRED_WAIT))
        slots = list(preferred.slots or found.slots)
        if not slots:
            note = (
                f"no slot for {self._account(key).username}: {found.empty_reason or found.empty_reason_code}"
            )
            self.state["notes"].append(note)
            self._save()
            return False
        slot = min(slots, key=lambda s: s.time.start.ToSeconds()) if soonest else slots[0]
        start = slot.time.start.ToDatetime(tzinfo=UTC)
        request = scp.BookRequest(
            idempotency_key=f"demo-seed-{key}-{int(start.timestamp())}",
            provider_id=slot.provider_id,
            session_type=common.SESSION_TYPE_INDIVIDUAL,
            start=slot.time.start,
        )
        appointment = self._optional(
            "SchedulingService/Book",
            lambda: self._call(self.clients.scheduling.Book, request, token, "book"),
        )
        if appointment is None:
            return False
        self._record(key, appointment.appointment_id, appointment.provider_id, start)
        return True

    def _record(self, key: str, appointment_id: str, provider_id: str, start: datetime) -> None:
        names = {a["user_id"]: a["display_name"] for a in self.state["accounts"].values()}
        self.state["bookings"].append(
            {
                "officer": key,
                "officer_username": self._account(key).username,
                "appointment_id": appointment_id,
                "provider_id": provider_id,
                "provider": names.get(provider_id, provider_id),
                "start": start.isoformat(),
                "start_local": start.astimezone(ZoneInfo(ZONE)).strftime("%a %Y-%m-%d %H:%M %Z"),
            }
        )
        self._save()
