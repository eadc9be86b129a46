"""Book: one officer's individual session with a provider (and the urgent crisis session,
which skips the officer's fatigue rules and daily limit but is re-checked as atomically)."""

from __future__ import annotations

from datetime import datetime

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import interval_to_proto, timestamp
from tenfour_scheduling.domain.booking_rules import local_day
from tenfour_scheduling.domain.records import Claim, OfficerFacts, ProviderSnapshot, new_appointment_id, to_ms
from tenfour_scheduling.service.booking.idempotency import Key, digest
from tenfour_scheduling.service.booking.transaction import (
    Hold,
    Steps,
    Transaction,
    Wording,
    day_kind,
)
from tenfour_scheduling.service.checks import placement
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Appointments
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import load_zone

__all__ = ["Book"]

_NO_LIMIT = 1_000_000  # an urgent session ignores the officer's daily limit
_SESSION_TYPES = {SessionType.INDIVIDUAL: common.SESSION_TYPE_INDIVIDUAL}
_WORDING = Wording(
    expired="the booking took too long and was undone; retry",
    exhausted="this time is changing too fast; look for slots again",
)


class Book:
    def __init__(self, tx: Transaction, store: Appointments, clock: Clock) -> None:
        self._tx = tx
        self._store = store
        self._clock = clock

    async def book(
        self,
        *,
        officer_id: str,
        agency_id: str,
        provider_id: str,
        session_type: SessionType,
        start: datetime,
        idempotency_key: str,
        series_id: str = "",
        campaign_id: str = "",
        held: bool = False,
        from_referral: bool = False,
    ) -> Appointment:
        """``held``: the time is held for the officer (status WAITLIST, a waiting-list offer)
        until they accept it; checked and claimed exactly like a booking."""
        key = Key(
            officer_id,
            digest(officer_id, "book", idempotency_key),
            # A campaign joins the fingerprint only when there is one: keys stored before campaigns
            # existed (a client's retry across an upgrade) still match their request.
            digest(
                "book",
                officer_id,
                provider_id,
                session_type.value,
                str(to_ms(start)),
                *filter(None, [campaign_id]),
            ),
        )

        async def prepare(now: datetime) -> Hold | Appointment | None:
            intent = await self._tx.checked(key, agency_id, provider_id, session_type, start, now)
            if intent is None or isinstance(intent, Appointment):
                return intent
            appointment_id = new_appointment_id(provider_id)
            return Hold(intent, appointment_id, appointment_id)

        async def write(hold: Hold, now: datetime, deadline_ms: int) -> tuple[Appointment, str]:
            intent = hold.intent
            appointment = Appointment(
                appointment_id=hold.appointment_id,
                agency_id=agency_id,
                provider_id=provider_id,
                officer_ids=[officer_id],
                officer_day_kinds=[day_kind(intent.officer.roster, intent.place.time.start)],
                session_type=_SESSION_TYPES[session_type],
                time=interval_to_proto(intent.place.time),
                status=AppointmentStatus.APPOINTMENT_STATUS_WAITLIST
                if held
                else AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
                capacity=1,
                created_at=timestamp(now),
                updated_at=timestamp(now),
                status_reason="waitlist_offer" if held else "booked",
                version=1,
                series_id=series_id,
                campaign_id=campaign_id,
                from_referral=from_referral,
            )
            event = ev.AppointmentStatusChanged(
                appointment=appointment, reason_code=appointment.status_reason
            )
            result = await self._store.commit(
                self._tx.commit(intent.snapshot, intent.place, "book", appointment, 0, deadline_ms, event)
            )
            return appointment, "ok" if result.code == "exists" else result.code

        return await self._tx.run(key, Steps(prepare, write), _WORDING)

    async def book_urgent(
        self, facts: OfficerFacts, snapshot: ProviderSnapshot, start: datetime
    ) -> Appointment | None:
        """An urgent (crisis) session with this provider starting at ``start``, or None when
        either calendar refuses it. The officer's fatigue rules and daily limit do not apply to
        a crisis; both calendars and the provider's caps are re-checked atomically as in Book.
        One attempt only: the caller tries the next free provider instead."""
        place = placement(snapshot, SessionType.CRISIS, start)
        if place is None:
            return None
        zone = load_zone(facts.roster.roster.zone if facts.roster is not None else "UTC")
        t = place.time
        appointment_id = new_appointment_id(snapshot.provider_id)
        claim = await self._store.claim(
            Claim(
                officer_id=facts.officer_id,
                member=appointment_id,
                appointment_id=appointment_id,
                provider_id=snapshot.provider_id,
                time=t,
                probe=t,
                day=local_day(t.start.astimezone(zone).date(), zone),
                max_per_day=_NO_LIMIT,
                roster_version=facts.roster.version if facts.roster is not None else 0,
            )
        )
        if claim.code != "ok":
            return None
        now = self._clock()
        appointment = Appointment(
            appointment_id=appointment_id,
            agency_id=facts.agency_id,
            provider_id=snapshot.provider_id,
            officer_ids=[facts.officer_id],
            officer_day_kinds=[day_kind(facts.roster, t.start)],
            session_type=common.SESSION_TYPE_CRISIS,
            time=interval_to_proto(t),
            status=AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
            urgent=True,
            capacity=1,
            created_at=timestamp(now),
            updated_at=timestamp(now),
            status_reason="urgent",
            version=1,
        )
        event = ev.AppointmentStatusChanged(appointment=appointment, reason_code="booked")
        result = await self._store.commit(
            self._tx.commit(snapshot, place, "book", appointment, 0, int(claim.text(0)), event)
        )
        if result.code in ("ok", "exists"):
            await self._store.sync(facts.officer_id, appointment, True, drop_member=appointment_id)
            return appointment
        await self._store.release(facts.officer_id, appointment_id, appointment_id)
        return None
