"""Licensure through gRPC, with the injected clock: a clinician is offered to an officer (slot
search, booking) only while a licence is valid in the officer's jurisdiction or one the agency
accepts by compact; peer supporters are exempt; urgent requests and series follow the same rule;
a licence expiring within 30 days is warned about once, 30 days ahead (event for notifications),
and not when a renewal is already on record; booked sessions past the end of every matching
licence become conflicts with alternatives; admins' bad input is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import LicenceExpiring, UrgentOffered
from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_shared.auth.roles import Role

from .conftest import AGENCY, Harness, utc, violations
from .test_conflicts import until_conflicts
from .test_training import WEEKENDS, peer_rules, ts
from .test_urgent import crisis_rules, urgent

pytestmark = pytest.mark.integration
EXPIRY = utc(2026, 3, 5, 18)  # Thursday 5 March, 12:00 in Chicago
WED = utc(2026, 3, 4, 15)  # Wednesday 4 March, 09:00 CST: before the expiry
TUE = utc(2026, 3, 10, 15)  # Tuesday 10 March, 10:00 CDT: after the expiry


async def licence(
    h: Harness, clinician: str, where: str, issued: datetime, expires: datetime, agency: str = AGENCY
) -> lpb.Licence:
    lic = lpb.Licence(
        clinician_id=clinician,
        jurisdiction=where,
        number="PSY-1234",
        issued_at=ts(issued),
        expires_at=ts(expires),
    )
    reply: lpb.Licence = await h.stub.RecordLicence(
        lpb.RecordLicenceRequest(licence=lic), metadata=h.admin(agency)
    )
    return reply


async def offered(h: Harness, officer: str) -> dict[str, list[pb.Slot]]:
    horizon = Duration()
    horizon.FromTimedelta(timedelta(days=14))
    reply: pb.FindSlotsResponse = await h.stub.FindSlots(
        pb.FindSlotsRequest(horizon=horizon, limit=200), metadata=h.officer(officer)
    )
    out: dict[str, list[pb.Slot]] = {}
    for s in reply.slots:
        out.setdefault(s.provider_id, []).append(s)
    return out


async def lives_in(h: Harness, officer: str, where: str) -> None:
    await h.stub.SetPreferences(
        pb.SetPreferencesRequest(preferences=pb.Preferences(jurisdiction=where)), metadata=h.officer(officer)
    )


async def test_only_clinicians_licensed_where_the_officer_is_are_offered_and_booked(harness: Harness) -> None:
    h = harness
    for clinician in ("t-ca", "t-tx"):
        await h.provider(clinician, peer_rules(clinician))
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    for officer in ("o-1", "o-2", "o-3"):
        await h.set_roster(officer, cycle=WEEKENDS)
        await lives_in(h, officer, "US-CA")

    # Licensed nowhere: not offered, not bookable; the peer supporter is exempt.
    assert set(await offered(h, "o-1")) == {"p-1"}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await h.book("o-1", "t-ca", WED)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "(unlicensed)" in (refused.value.details() or "")

    long = await licence(h, "t-ca", "us-ca", utc(2024, 1, 1), utc(2028, 1, 1))
    assert long.jurisdiction == "US-CA"
    booked = await h.book("o-2", "t-ca", TUE)
    # The long licence was recorded by mistake: the real one expires on Thursday.
    await h.stub.RemoveLicence(
        lpb.RemoveLicenceRequest(clinician_id="t-ca", licence_id=long.licence_id), metadata=h.admin()
    )
    await licence(h, "t-ca", "US-CA", utc(2024, 1, 1), EXPIRY)
    (conflict,) = await until_conflicts(h, "o-2", 1)
    assert conflict.appointment.appointment_id == booked.appointment_id
    assert conflict.reason_code == "unlicensed"
    assert conflict.alternatives
    # Alternatives: other providers, or this clinician while the licence still holds.
    assert all(
        a.provider_id != "t-ca" or a.time.end.ToDatetime(tzinfo=UTC) <= EXPIRY for a in conflict.alternatives
    )

    found = await offered(h, "o-1")
    assert set(found) == {"t-ca", "p-1"}
    assert all(s.time.end.ToDatetime(tzinfo=UTC) <= EXPIRY for s in found["t-ca"])
    assert (await h.book("o-1", "t-ca", WED)).provider_id == "t-ca"
    with pytest.raises(grpc.aio.AioRpcError) as after:
        await h.book("o-1", "t-ca", TUE + timedelta(hours=2))
    assert "(unlicensed)" in (after.value.details() or "")

    # Within 30 days of the expiry: one warning at the worker's next pass, never twice.
    assert await h.process.services.licensure.drive() == 1
    assert await h.process.services.licensure.drive() == 0
    (warning,) = await h.scheduling_events("scheduling.licence_expiring", at_least=1, settle=0)
    assert isinstance(warning, LicenceExpiring)
    assert (warning.clinician_id, warning.jurisdiction) == ("t-ca", "US-CA")
    assert warning.expires_at.ToDatetime(tzinfo=UTC) == EXPIRY

    # A compact: the agency accepts Texas licences too.
    await licence(h, "t-tx", "US-TX", utc(2024, 1, 1), utc(2028, 1, 1))
    assert "t-tx" not in await offered(h, "o-3")
    policy = pb.FatiguePolicy(compact_jurisdictions=["us-tx"])
    saved = await h.stub.SetFatiguePolicy(pb.SetFatiguePolicyRequest(policy=policy), metadata=h.admin())
    assert list(saved.compact_jurisdictions) == ["US-TX"]
    assert "t-tx" in await offered(h, "o-3")

    listed: lpb.ListLicencesResponse = await h.stub.ListLicences(
        lpb.ListLicencesRequest(), metadata=h.admin()
    )
    states = {
        (c.clinician_id, s.licence.jurisdiction, s.state) for c in listed.clinicians for s in c.licences
    }
    assert states == {
        ("t-ca", "US-CA", lpb.LICENCE_STATE_EXPIRING),
        ("t-tx", "US-TX", lpb.LICENCE_STATE_VALID),
    }
    own: lpb.ListLicencesResponse = await h.stub.ListLicences(
        lpb.ListLicencesRequest(), metadata=h.therapist("t-tx")
    )
    assert [c.clinician_id for c in own.clinicians] == ["t-tx"]

    # Once the licence has expired the clinician is not offered at all; the others still are.
    h.clock.now = EXPIRY + timedelta(hours=1)
    assert set(await offered(h, "o-3")) == {"t-tx", "p-1"}


async def test_bad_licence_input_is_refused_and_changes_nothing(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))
    await h.set_roster("p-1", cycle=WEEKENDS, role=Role.PEER_SUPPORTER)
    await h.provider("p-1", peer_rules("p-1"), kind=common.PROVIDER_KIND_PEER)
    now = h.clock.now

    with pytest.raises(grpc.aio.AioRpcError) as backwards:
        await licence(h, "t-1", "US-CA", now, now - timedelta(days=1))
    assert backwards.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(backwards.value) == ["licence.expires_at"]
    with pytest.raises(grpc.aio.AioRpcError) as where:
        await licence(h, "t-1", "California", now, now + timedelta(days=1))
    assert violations(where.value) == ["licence.jurisdiction"]
    with pytest.raises(grpc.aio.AioRpcError) as peer:
        await licence(h, "p-1", "US-CA", now, now + timedelta(days=1))
    assert peer.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as other_agency:
        await licence(h, "t-1", "US-CA", now, now + timedelta(days=1), agency="agency-2")
    assert other_agency.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as someone_else:
        await h.stub.ListLicences(lpb.ListLicencesRequest(clinician_id="t-2"), metadata=h.therapist("t-1"))
    assert someone_else.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as compact:
        await h.stub.SetFatiguePolicy(
            pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(compact_jurisdictions=["Texas"])),
            metadata=h.admin(),
        )
    assert violations(compact.value) == ["policy.compact_jurisdictions[0]"]

    listed: lpb.ListLicencesResponse = await h.stub.ListLicences(
        lpb.ListLicencesRequest(), metadata=h.admin()
    )
    assert [(c.clinician_id, list(c.licences)) for c in listed.clinicians] == [("t-1", [])]
    policy = await h.stub.GetFatiguePolicy(pb.GetFatiguePolicyRequest(), metadata=h.admin())
    assert list(policy.compact_jurisdictions) == []


async def test_the_expiry_warning_comes_30_days_ahead_once_and_not_after_a_renewal(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"), agencies=(AGENCY, "agency-2"))  # serves two agencies
    start = h.clock.now
    california = start + timedelta(days=45)
    texas = start + timedelta(days=50)
    await licence(h, "t-1", "US-CA", start - timedelta(days=700), california)
    await licence(h, "t-1", "US-TX", start - timedelta(days=700), texas)
    assert await h.process.services.licensure.drive() == 0  # 45 and 50 days ahead: not yet

    h.clock.now = california - timedelta(days=30, minutes=1)
    assert await h.process.services.licensure.drive() == 0
    h.clock.now = california - timedelta(days=30)
    assert await h.process.services.licensure.drive() == 1  # the clinician and the admins (notifications)
    (warning,) = await h.scheduling_events("scheduling.licence_expiring", at_least=1, settle=0)
    assert isinstance(warning, LicenceExpiring)
    assert (warning.clinician_id, warning.agency_id, warning.jurisdiction) == ("t-1", AGENCY, "US-CA")
    assert list(warning.other_agency_ids) == ["agency-2"]  # both agencies' admins are told
    assert warning.expires_at.ToDatetime(tzinfo=UTC) == california
    assert await h.process.services.licensure.drive() == 0  # once

    # Texas was renewed before its warning fell due: no warning about the old one.
    await licence(h, "t-1", "US-TX", texas - timedelta(days=10), texas + timedelta(days=730))
    h.clock.now = texas - timedelta(days=29)
    assert await h.process.services.licensure.drive() == 0
    await h.quiet()  # everything staged is on the stream before counting
    assert len(await h.scheduling_events("scheduling.licence_expiring", settle=0)) == 1


async def test_urgent_requests_and_series_reach_only_clinicians_licensed_where_the_officer_lives(
    harness: Harness,
) -> None:
    h = harness
    for clinician in ("t-ca", "t-none"):
        await h.provider(clinician, crisis_rules(clinician))
    await licence(h, "t-ca", "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700))
    await h.set_roster("o-1", cycle=WEEKENDS)
    await lives_in(h, "o-1", "US-CA")
    await h.quiet()

    # An urgent request is offered to the on-call clinician licensed in California only.
    asked = await urgent(h, "o-1")
    assert asked.alerted_count == 1
    (offered,) = await h.scheduling_events("scheduling.urgent_offered", at_least=1, settle=0)
    assert isinstance(offered, UrgentOffered)
    assert list(offered.provider_ids) == ["t-ca"]
    with pytest.raises(grpc.aio.AioRpcError) as not_offered:
        await h.stub.AcceptUrgentRequest(
            pb.AcceptUrgentRequestRequest(request_id=asked.request_id), metadata=h.therapist("t-none")
        )
    assert not_offered.value.code() in (
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
    )


async def test_a_series_is_planned_and_booked_only_with_a_clinician_licensed_on_each_date(
    harness: Harness,
) -> None:
    h = harness
    for clinician in ("t-ca", "t-none"):
        await h.provider(clinician, peer_rules(clinician))
    # Licensed in California until Thursday 5 March: a weekly series from Wednesday gets one session.
    await licence(h, "t-ca", "US-CA", utc(2024, 1, 1), EXPIRY)
    await h.set_roster("o-1", cycle=WEEKENDS)
    await lives_in(h, "o-1", "US-CA")
    await h.quiet()

    def series(provider: str) -> pb.PlanSeriesRequest:
        return pb.PlanSeriesRequest(provider_id=provider, count=3, every_days=7, tolerance_days=1)

    nowhere: pb.SeriesPlan = await h.stub.PlanSeries(series("t-none"), metadata=h.officer("o-1"))
    assert [bool(s.problem) for s in nowhere.slots] == [True, True, True]
    plan: pb.SeriesPlan = await h.stub.PlanSeries(series("t-ca"), metadata=h.officer("o-1"))
    assert [bool(s.problem) for s in plan.slots] == [False, True, True]
    assert plan.slots[0].time.end.ToDatetime(tzinfo=UTC) <= EXPIRY
    booked = await h.stub.BookSeries(
        pb.BookSeriesRequest(idempotency_key="lic-series", plan_id=plan.plan_id), metadata=h.officer("o-1")
    )
    assert [b.provider_id for b in booked.booked] == ["t-ca"]
