"""Wellness check-in campaigns: an agency invites every enrolled officer to book one
confidential check-in within whole UTC months (outcomes reports by the same months, so the
campaign's figures can be suppressed together with the monthly ones).

The agency never learns from scheduling who booked, when or with whom. Outcomes publishes the
campaign's invited / booked / completed figures under its small-cell rules once the window is
over. Only a campaign launched with *attendance confirmation* (officers are told before they
book, and must acknowledge it) gives the agency a per-officer list, and it says attended
yes/no and nothing else.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import campaigns_pb2 as cpb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Appointments
from tenfour_scheduling.service.program_ports import CampaignRecords
from tenfour_shared import errors
from tenfour_shared.events.envelope import build

__all__ = ["MAX_MONTHS", "CampaignService", "month_window"]

MAX_MONTHS = 12
_MIN_SHOWN = 11  # the small-cell rule agencies' figures follow (outcomes)
_LIVE = {
    AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
    AppointmentStatus.APPOINTMENT_STATUS_ARRIVED,
    AppointmentStatus.APPOINTMENT_STATUS_FULFILLED,
}


def month_window(year: int, month: int, months: int) -> tuple[datetime, datetime]:
    """From the first day of ``year-month`` 00:00 UTC to the start of the month after the last."""
    start = datetime(year, month, 1, tzinfo=UTC)
    last = month - 1 + months
    return start, datetime(year + last // 12, last % 12 + 1, 1, tzinfo=UTC)


def _shown(c: cpb.Campaign) -> cpb.Campaign:
    out = cpb.Campaign()
    out.CopyFrom(c)
    if 0 < c.invited < _MIN_SHOWN:
        out.invited, out.invited_hidden = 0, True
    return out


def _window(c: cpb.Campaign) -> tuple[datetime, datetime]:
    return c.window.start.ToDatetime(tzinfo=UTC), c.window.end.ToDatetime(tzinfo=UTC)


class CampaignService:
    def __init__(self, store: CampaignRecords, appointments: Appointments, clock: Clock) -> None:
        self._store = store
        self._appointments = appointments
        self._clock = clock

    async def launch(self, agency_id: str, request: cpb.Campaign) -> cpb.Campaign:
        now = self._clock()
        title = request.title.strip()
        problems: list[errors.FieldViolation] = []
        if not 1 <= len(title) <= 80 or not title.isprintable():
            problems.append(
                errors.FieldViolation("campaign.title", "give the campaign a name (1-80 characters)")
            )
        first = request.first_month
        if (
            not request.HasField("first_month")
            or not 2000 <= first.year <= 2100
            or not 1 <= first.month <= 12
        ):
            problems.append(
                errors.FieldViolation("campaign.first_month", "say which month the campaign starts")
            )
        if not 1 <= request.months <= MAX_MONTHS:
            problems.append(
                errors.FieldViolation("campaign.months", f"a campaign runs 1 to {MAX_MONTHS} months")
            )
        if not problems:
            start, end = month_window(first.year, first.month, request.months)
            if end <= now:
                problems.append(errors.FieldViolation("campaign.first_month", "this window is already over"))
        if problems:
            raise errors.InvalidInput(problems)
        # One campaign at a time: officers get one invitation, and outcomes can keep each
        # campaign's figures from being subtracted from another's over the same months.
        for other in await self._store.campaigns(agency_id):
            other_start, other_end = _window(other)
            if other_start < end and start < other_end:
                raise errors.WrongState(
                    "another campaign already runs in some of these months; choose months after it ends"
                )
        campaign = cpb.Campaign(
            campaign_id=f"cmp-{secrets.token_hex(8)}",
            agency_id=agency_id,
            title=title,
            first_month=common.LocalDate(year=first.year, month=first.month, day=1),
            months=request.months,
            attendance_confirmation=request.attendance_confirmation,
            window=common.TimeRange(start=timestamp(start), end=timestamp(end)),
            invited=await self._store.officer_count(agency_id),
            launched_at=timestamp(now),
        )
        event = ev.CampaignLaunched(
            campaign_id=campaign.campaign_id,
            agency_id=agency_id,
            window=campaign.window,
            invited=campaign.invited,
            attendance_confirmation=campaign.attendance_confirmation,
            title=title,
        )
        await self._store.launch(campaign, build(event, subject=agency_id, when=now))
        return _shown(campaign)

    async def for_agency(self, agency_id: str) -> list[cpb.Campaign]:
        """The agency's campaigns; an invited count of 1-10 is not shown (small-cell rule). Invited
        counts officers who enrolled while it was open too."""
        found = []
        for c in await self._store.campaigns(agency_id):
            c.invited = len(await self._store.invited(agency_id, c.campaign_id))
            found.append(_shown(c))
        return sorted(found, key=lambda c: (c.launched_at.ToDatetime(), c.campaign_id), reverse=True)

    async def for_officer(self, agency_id: str, officer_id: str) -> list[cpb.Campaign]:
        """The agency's campaigns still open to this officer (invited at launch), with their booking."""
        now = self._clock()
        out = []
        for c in await self.for_agency(agency_id):
            if _window(c)[1] <= now or not await self._store.is_invited(agency_id, c.campaign_id, officer_id):
                continue
            mine = cpb.Campaign()
            mine.CopyFrom(c)
            mine.invited, mine.invited_hidden = 0, False  # the officer needs no agency figure
            mine.my_appointment_id = await self._live_booking(agency_id, c.campaign_id, officer_id)
            out.append(mine)
        return out

    async def _live_booking(self, agency_id: str, campaign_id: str, officer_id: str) -> str:
        appointment_id = (await self._store.booked(agency_id, campaign_id)).get(officer_id, "")
        if not appointment_id:
            return ""
        stored = await self._appointments.get(appointment_id)
        return appointment_id if stored is not None and stored.appointment.status in _LIVE else ""

    async def check_booking(
        self, agency_id: str, officer_id: str, campaign_id: str, start: datetime, acknowledged: bool
    ) -> None:
        """Refuses a check-in outside the campaign's window, a second one, an officer who was not
        invited, or (attendance confirmation) one the officer did not acknowledge."""
        campaign = next(
            (c for c in await self._store.campaigns(agency_id) if c.campaign_id == campaign_id), None
        )
        if campaign is None or not await self._store.is_invited(agency_id, campaign_id, officer_id):
            raise errors.NotFound("no such check-in campaign for you")
        first, end = _window(campaign)
        if not first <= start < end:
            raise errors.InvalidInput.single("start", "choose a time inside the campaign's months")
        if await self._live_booking(agency_id, campaign_id, officer_id):
            raise errors.WrongState("you already booked this check-in; move or cancel it instead")
        if campaign.attendance_confirmation and not acknowledged:
            raise errors.WrongState(
                "this check-in reports to your agency whether you attended (yes or no, nothing else); "
                "confirm that you understand before booking"
            )

    async def check_move(
        self, agency_id: str, officer_id: str, appointment_id: str, new_start: datetime
    ) -> None:
        """A check-in stays inside its campaign's months when moved."""
        stored = await self._appointments.get(appointment_id)
        if stored is None or officer_id not in stored.appointment.officer_ids:
            return  # reschedule answers NOT_FOUND, as for anyone else's
        if not stored.appointment.campaign_id:
            return
        campaign = next(
            (
                c
                for c in await self._store.campaigns(agency_id)
                if c.campaign_id == stored.appointment.campaign_id
            ),
            None,
        )
        if campaign is not None and not _window(campaign)[0] <= new_start < _window(campaign)[1]:
            raise errors.InvalidInput.single("new_start", "choose a time inside the campaign's months")

    async def booked(self, agency_id: str, campaign_id: str, officer_id: str, appointment_id: str) -> None:
        await self._store.set_booked(agency_id, campaign_id, officer_id, appointment_id)

    async def attendance(self, agency_id: str, campaign_id: str) -> cpb.CampaignAttendance:
        campaign = next(
            (c for c in await self._store.campaigns(agency_id) if c.campaign_id == campaign_id), None
        )
        if campaign is None:
            raise errors.NotFound("no such campaign in your agency")
        if not campaign.attendance_confirmation:
            raise errors.WrongState(
                "this campaign was launched without attendance confirmation: only suppressed figures exist"
            )
        booked = await self._store.booked(agency_id, campaign_id)
        out = cpb.CampaignAttendance(campaign_id=campaign_id)
        for officer_id in await self._store.invited(agency_id, campaign_id):
            stored = await self._appointments.get(booked[officer_id]) if officer_id in booked else None
            held = (
                stored is not None
                and stored.appointment.status == AppointmentStatus.APPOINTMENT_STATUS_FULFILLED
            )
            out.officers.append(cpb.OfficerAttendance(officer_id=officer_id, attended=held))
        return out

    async def officer_enrolled(self, agency_id: str, officer_id: str) -> None:
        """An officer who enrols while a campaign is open is invited to it too, and told once."""
        now = self._clock()
        untold = await self._store.add_officer(agency_id, officer_id, int(now.timestamp() * 1000))
        if not untold:
            return
        campaigns = {c.campaign_id: c for c in await self._store.campaigns(agency_id)}
        for campaign_id in untold:
            campaign = campaigns[campaign_id]
            event = ev.CampaignInvitationAdded(
                campaign_id=campaign_id,
                agency_id=agency_id,
                officer_id=officer_id,
                window=campaign.window,
                attendance_confirmation=campaign.attendance_confirmation,
            )
            await self._store.tell(
                agency_id, campaign_id, officer_id, build(event, subject=agency_id, when=now)
            )

    async def officer_left(self, agency_id: str, officer_id: str) -> None:
        await self._store.remove_officer(agency_id, officer_id)
