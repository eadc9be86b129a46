"""A wellness campaign's figures through events and gRPC: pending until the last month of its
window is published, then invited / booked / completed with rates, frozen, own agency only."""

from __future__ import annotations

import grpc
import pytest

from tenfour.events.v1.scheduling_events_pb2 import CampaignInvitationAdded, CampaignLaunched
from tenfour.outcomes.v1 import outcomes_pb2 as pb

from .conftest import Harness, S, appointment, code, utc

pytestmark = pytest.mark.integration


async def campaigns(h: Harness, agency: str = "agency-1") -> list[pb.CampaignFigures]:
    reply = await h.stub.ListCampaignReports(pb.ListCampaignReportsRequest(), metadata=h.admin(agency))
    return list(reply.campaigns)


def shown(figure: pb.Figure) -> float | str:
    return figure.value if figure.status == pb.FIGURE_STATUS_SHOWN else pb.FigureStatus.Name(figure.status)


async def test_campaign_figures_appear_once_its_months_are_published_and_then_stay(harness: Harness) -> None:
    h = harness
    launched = CampaignLaunched(
        campaign_id="cmp-1", agency_id="agency-1", invited=30, title="Annual wellness check-in"
    )
    launched.window.start.FromDatetime(utc(2026, 1, 1))
    launched.window.end.FromDatetime(utc(2026, 2, 1))
    await h.publish(launched, "agency-1")
    for _ in range(2):  # an officer who enrolled during the campaign, told twice: counted once
        late = CampaignInvitationAdded(campaign_id="cmp-1", agency_id="agency-1", officer_id="officer-99")
        await h.publish(late, "agency-1")
    for i in range(26):
        await h.enrol(f"officer-{i}", at=utc(2025, 12, 1))
        checkin = appointment(f"ap-{i}", [f"officer-{i}"], utc(2026, 1, 5 + i % 20, 15))
        if i < 14:
            checkin.campaign_id = "cmp-1"
        await h.session(checkin)
    training = appointment("tr-1", ["officer-0", "officer-1"], utc(2026, 1, 20, 15))
    training.training_course = "resilience_workshop"  # staff training: not a program session
    await h.session(training)
    await h.settle()
    assert await h.redis.hlen("outcomes:facts:{agency-1}") == 26

    h.clock.now = utc(2026, 2, 3)
    (pending,) = await campaigns(h)
    assert (pending.campaign_id, pending.title, pending.published) == (
        "cmp-1",
        "Annual wellness check-in",
        False,
    )
    assert pending.publishes_at.ToDatetime() == utc(2026, 2, 15).replace(tzinfo=None)
    assert shown(pending.booked) == "FIGURE_STATUS_NOT_AVAILABLE"

    h.clock.now = utc(2026, 3, 20)
    (done,) = await campaigns(h)
    assert done.published
    assert [shown(f) for f in (done.invited, done.booked, done.completed)] == [31, 14, 14]
    assert (round(done.booked_rate.value, 4), round(done.completed_rate.value, 4)) == (0.4516, 0.4516)

    # Frozen: a late cancellation changes nothing once published.
    await h.status(appointment("ap-0", ["officer-0"], utc(2026, 1, 5, 15)), S.APPOINTMENT_STATUS_CANCELLED)
    await h.settle()
    again = (await campaigns(h))[0]
    assert [shown(f) for f in (again.booked, again.completed)] == [14, 14]

    with pytest.raises(grpc.aio.AioRpcError) as other:
        await h.stub.ListCampaignReports(
            pb.ListCampaignReportsRequest(agency_id="agency-1"), metadata=h.admin("agency-2")
        )
    assert code(other.value) == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as officer:
        await h.stub.ListCampaignReports(pb.ListCampaignReportsRequest(), metadata=h.officer("officer-1"))
    assert code(officer.value) == grpc.StatusCode.PERMISSION_DENIED
