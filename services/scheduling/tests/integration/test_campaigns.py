"""Wellness check-in campaigns through gRPC: a launch invites the agency's enrolled officers
(the event notifications and outcomes consume), an officer books one check-in inside the
window (acknowledging attendance reporting when the campaign has it), the agency's attendance
list says attended yes/no only, and bad launches are refused with nothing stored."""

from __future__ import annotations

from datetime import datetime, time

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import CampaignInvitationAdded, CampaignLaunched
from tenfour.scheduling.v1 import campaigns_pb2 as cpb
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment

from .conftest import AGENCY, Harness, every_day, rules, utc, violations

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago, a day off on the Pitman rota
APRIL = utc(2026, 4, 8, 14)


async def launch(
    h: Harness, months: int = 1, *, attendance: bool = False, agency: str = AGENCY
) -> cpb.Campaign:
    campaign = cpb.Campaign(
        title="Annual wellness check-in",
        first_month=common.LocalDate(year=2026, month=3, day=1),
        months=months,
        attendance_confirmation=attendance,
    )
    reply: cpb.Campaign = await h.stub.LaunchCampaign(
        cpb.LaunchCampaignRequest(campaign=campaign), metadata=h.admin(agency)
    )
    return reply


async def book(h: Harness, officer: str, start: datetime, campaign: str, ack: bool = False) -> Appointment:
    request = pb.BookRequest(
        idempotency_key=f"{officer}-{campaign}-{start.isoformat()}",
        provider_id="t-1",
        session_type=common.SESSION_TYPE_INDIVIDUAL,
        campaign_id=campaign,
        attendance_reporting_acknowledged=ack,
    )
    request.start.FromDatetime(start)
    reply: Appointment = await h.stub.Book(request, metadata=h.officer(officer))
    return reply


async def test_a_campaign_invites_officers_who_book_one_check_in_inside_its_months(harness: Harness) -> None:
    h = harness
    await h.provider(
        "t-1",
        rules("t-1", every_day(time(7), time(19))),
    )
    for officer in ("o-1", "o-2"):
        await h.publish(UserRegistered(user_id=officer, agency_id=AGENCY, role=common.ROLE_OFFICER), officer)
        await h.set_roster(officer)
    await h.publish(UserRegistered(user_id="o-9", agency_id="agency-2", role=common.ROLE_OFFICER), "o-9")
    await h.quiet()

    campaign = await launch(h, attendance=True)
    assert (campaign.invited, campaign.invited_hidden) == (0, True)  # 2 officers: a small number
    (event,) = await h.scheduling_events("scheduling.campaign_launched", at_least=1, settle=0)
    assert isinstance(event, CampaignLaunched)
    assert (event.agency_id, event.invited, event.attendance_confirmation) == (AGENCY, 2, True)
    assert event.window.start.ToDatetime() == datetime(2026, 3, 1)
    assert event.window.end.ToDatetime() == datetime(2026, 4, 1)

    listed: cpb.ListCampaignsResponse = await h.stub.ListCampaigns(
        cpb.ListCampaignsRequest(), metadata=h.officer("o-1")
    )
    assert [(c.campaign_id, c.attendance_confirmation, c.invited) for c in listed.campaigns] == [
        (campaign.campaign_id, True, 0)
    ]
    # Told before booking: without the acknowledgement nothing is booked.
    with pytest.raises(grpc.aio.AioRpcError) as unacknowledged:
        await book(h, "o-1", WED, campaign.campaign_id)
    assert unacknowledged.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "attended" in (unacknowledged.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as outside:
        await book(h, "o-1", APRIL, campaign.campaign_id, ack=True)
    assert violations(outside.value) == ["start"]
    checkin = await book(h, "o-1", WED, campaign.campaign_id, ack=True)
    assert checkin.campaign_id == campaign.campaign_id
    moved = pb.RescheduleRequest(appointment_id=checkin.appointment_id, idempotency_key="move-out")
    moved.new_start.FromDatetime(APRIL)
    with pytest.raises(grpc.aio.AioRpcError) as moved_out:
        await h.stub.Reschedule(moved, metadata=h.officer("o-1"))
    assert violations(moved_out.value) == ["new_start"]  # a check-in stays inside its months
    with pytest.raises(grpc.aio.AioRpcError) as second:
        await book(h, "o-1", WED.replace(day=11), campaign.campaign_id, ack=True)
    assert second.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    elsewhere = await h.stub.ListCampaigns(cpb.ListCampaignsRequest(), metadata=h.officer("o-9", "agency-2"))
    assert list(elsewhere.campaigns) == []
    with pytest.raises(grpc.aio.AioRpcError) as stranger:
        await book(h, "o-9", WED, campaign.campaign_id, ack=True)
    assert stranger.value.code() == grpc.StatusCode.NOT_FOUND
    mine = (await h.stub.ListCampaigns(cpb.ListCampaignsRequest(), metadata=h.officer("o-1"))).campaigns
    assert mine[0].my_appointment_id == checkin.appointment_id

    # An officer enrolling while the campaign is open is invited too, and told once (a second
    # registration event, as a redelivery under a new id, tells nobody again).
    for _ in range(2):
        await h.publish(UserRegistered(user_id="o-3", agency_id=AGENCY, role=common.ROLE_OFFICER), "o-3")
    await h.quiet()
    (added,) = await h.scheduling_events("scheduling.campaign_invitation_added", at_least=1)
    assert isinstance(added, CampaignInvitationAdded)
    assert (added.campaign_id, added.officer_id, added.attendance_confirmation) == (
        campaign.campaign_id,
        "o-3",
        True,
    )
    late = (await h.stub.ListCampaigns(cpb.ListCampaignsRequest(), metadata=h.officer("o-3"))).campaigns
    assert [c.campaign_id for c in late] == [campaign.campaign_id]

    attendance: cpb.CampaignAttendance = await h.stub.GetCampaignAttendance(
        cpb.GetCampaignAttendanceRequest(campaign_id=campaign.campaign_id), metadata=h.admin()
    )
    assert [(o.officer_id, o.attended) for o in attendance.officers] == [
        ("o-1", False),
        ("o-2", False),
        ("o-3", False),
    ]
    assert set(cpb.OfficerAttendance.DESCRIPTOR.fields_by_name) == {"officer_id", "attended"}
    with pytest.raises(grpc.aio.AioRpcError) as other_agency:
        await h.stub.GetCampaignAttendance(
            cpb.GetCampaignAttendanceRequest(campaign_id=campaign.campaign_id), metadata=h.admin("agency-2")
        )
    assert other_agency.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_confidential_campaign_has_no_attendance_list_and_bad_launches_are_refused(
    harness: Harness,
) -> None:
    h = harness
    quiet = await launch(h)
    with pytest.raises(grpc.aio.AioRpcError) as no_list:
        await h.stub.GetCampaignAttendance(
            cpb.GetCampaignAttendanceRequest(campaign_id=quiet.campaign_id), metadata=h.admin()
        )
    assert no_list.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    for months, field in ((0, "campaign.months"), (13, "campaign.months")):
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await launch(h, months)
        assert violations(bad.value) == [field]
    with pytest.raises(grpc.aio.AioRpcError) as no_window:
        await h.stub.LaunchCampaign(
            cpb.LaunchCampaignRequest(campaign=cpb.Campaign(title="Check-in", months=3)), metadata=h.admin()
        )
    assert violations(no_window.value) == ["campaign.first_month"]
    with pytest.raises(grpc.aio.AioRpcError) as officer:
        await h.stub.LaunchCampaign(
            cpb.LaunchCampaignRequest(campaign=cpb.Campaign()), metadata=h.officer("o-1")
        )
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as overlapping:
        await launch(h, 2)  # March-April: March is taken
    assert overlapping.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    listed = await h.stub.ListCampaigns(cpb.ListCampaignsRequest(), metadata=h.admin())
    assert [c.campaign_id for c in listed.campaigns] == [quiet.campaign_id]  # nothing else stored
