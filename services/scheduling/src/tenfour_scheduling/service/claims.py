"""Claims left by booking attempts that died between phase 1 and phase 3 (see
adapters/appointment_store.py): settled from the truth in the provider's slot."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain.records import CalendarEntry, to_ms
from tenfour_scheduling.service.ports import Appointments

__all__ = ["CLAIM_GRACE_MS", "Claims"]

CLAIM_GRACE_MS = 5_000  # clock skew between the nodes holding the officer's and provider's slots


class Claims:
    def __init__(self, store: Appointments) -> None:
        self._store = store

    async def committed(self, appointment_id: str, member: str, officer_id: str = "") -> Appointment | None:
        """The appointment if the attempt behind claim ``member`` reached phase 2 (for a seat
        in a group session: if ``officer_id`` holds a seat in it)."""
        stored = await self._store.get(appointment_id)
        if stored is None:
            return None
        group = stored.appointment.session_type == common.SESSION_TYPE_GROUP
        if group and officer_id not in stored.appointment.officer_ids:
            return None
        _, _, moved_to = member.partition(">")
        if moved_to and to_ms(stored.appointment.time.start.ToDatetime(tzinfo=UTC)) != int(moved_to):
            return None
        return stored.appointment

    async def settle_dead(self, officer_id: str, entries: Iterable[CalendarEntry]) -> bool:
        """Settle the officer's claims that are past their deadline; whether there were any."""
        now = await self._store.now_ms()
        dead = [e.member for e in entries if e.claim and e.deadline_ms + CLAIM_GRACE_MS <= now]
        for member in dead:
            await self.settle(officer_id, member)
        return bool(dead)

    async def as_settled(
        self, officer_id: str, entries: Iterable[CalendarEntry]
    ) -> tuple[CalendarEntry, ...]:
        """The officer's entries as settling would leave them, without writing anything (a
        search is a read; a booking settles for real): a dead claim whose attempt reached
        phase 2 stays busy, one that did not is left out."""
        entries = tuple(entries)
        if not any(e.claim for e in entries):
            return entries
        now = await self._store.now_ms()
        out = []
        for e in entries:
            dead = e.claim and e.deadline_ms + CLAIM_GRACE_MS <= now
            if dead and await self.committed(e.appointment_id, e.member, officer_id) is None:
                continue
            out.append(e)
        return tuple(out)

    async def settle(self, officer_id: str, member: str) -> None:
        """A dead claim becomes the booked entry if its attempt reached phase 2, else goes."""
        appointment_id = member.partition(">")[0]
        committed = await self.committed(appointment_id, member, officer_id)
        if committed is not None:
            await self._store.sync(officer_id, committed, True, drop_member=member)
        else:
            await self._store.release(officer_id, member, appointment_id)
