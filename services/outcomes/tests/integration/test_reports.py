"""Agency reports through gRPC: exact figures where officers are many, suppression where they
are few, coarser periods for small agencies, frozen publications, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import grpc
import pytest
from google.protobuf.message import Message

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.identity_events_pb2 import ProviderProfile, ProviderProfileUpdated
from tenfour.events.v1.scheduling_events_pb2 import UrgentConnected, UrgentWrappedUp
from tenfour.outcomes.v1 import outcomes_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import DayKind
from tenfour_outcomes.domain.linear import determined
from tenfour_outcomes.domain.metrics import ADDITIVE, relations
from tenfour_outcomes.domain.periods import Period

from .conftest import Harness, S, appointment, code, table, utc

pytestmark = pytest.mark.integration
OFFICERS = [f"officer-{i:02d}" for i in range(24)]


async def busy_january(harness: Harness) -> None:
    """24 officers, a peer and a therapist, urgent sessions, no-shows, cancellations, feedback."""
    await harness.enrol("therapist-1", agency_id="", role=common_pb2.ROLE_THERAPIST)
    profile = ProviderProfile(
        provider_id="peer-1", kind=common_pb2.PROVIDER_KIND_PEER, agency_ids=["agency-1"]
    )
    await harness.publish(ProviderProfileUpdated(profile=profile, version=1), "peer-1")
    for i, officer in enumerate(OFFICERS):
        await harness.enrol(officer, at=utc(2025, 12, 1 + i, 8))
        start = utc(2026, 1, 5 + i % 20, 15)
        urgent = i <= 10  # waits of 1..11 minutes
        created = start - timedelta(minutes=i + 1) if urgent else None
        provider = "peer-1" if i % 2 == 0 else "therapist-1"
        await harness.session(
            appointment(f"ap-{i}", [officer], start, provider, urgent=urgent, created=created)
        )
        if created is not None:  # accepted after 30+i s, someone in the room after 90+i s
            await urgent_request(harness, f"rq-{i}", officer, created, 30 + i, 90 + i)
        if i >= 12:
            no_show = appointment(f"ap-ns-{i}", [officer], utc(2026, 1, 26, 15))
            await harness.session(no_show, S.APPOINTMENT_STATUS_NOSHOW)
        if 12 <= i <= 22:
            late = appointment(f"ap-lc-{i}", [officer], utc(2026, 1, 27, 15))
            await harness.session(late, S.APPOINTMENT_STATUS_BOOKED)
            await harness.status(late, S.APPOINTMENT_STATUS_CANCELLED, late=True)
    cancelled = appointment("ap-c-0", [OFFICERS[0]], utc(2026, 1, 28, 15))
    await harness.session(cancelled, S.APPOINTMENT_STATUS_BOOKED)
    await harness.status(cancelled, S.APPOINTMENT_STATUS_CANCELLED)
    await harness.settle()
    harness.clock.now = utc(2026, 1, 29)
    for i, officer in enumerate(OFFICERS[:12]):
        credential = await harness.credential(officer, f"ap-{i}")
        await harness.feedback(officer, credential, rating=4 + i % 2, recommend=True, before=8, after=5)


async def urgent_request(
    harness: Harness, request_id: str, officer: str, asked: datetime, accepted: int, joined: int
) -> None:
    """Scheduling's two events about an urgent request that reached someone."""
    connected = UrgentConnected(request_id=request_id, agency_id="agency-1", officer_id=officer)
    connected.requested_at.FromDatetime(asked)
    connected.first_accepted_at.FromDatetime(asked + timedelta(seconds=accepted))
    connected.joined_at.FromDatetime(asked + timedelta(seconds=joined))
    await harness.publish(connected, request_id)
    wrapped = UrgentWrappedUp(
        request_id=request_id, agency_id="agency-1", officer_id=officer, outcome="follow_up_booked"
    )
    wrapped.requested_at.FromDatetime(asked)
    await harness.publish(wrapped, request_id)


async def test_an_agency_admin_sees_de_identified_figures_of_published_months(harness: Harness) -> None:
    await busy_january(harness)
    harness.clock.now = utc(2026, 3, 20)
    report = await harness.report()
    assert (report.agency_id, report.min_officers, report.published_through) == ("agency-1", 11, "2026-02")
    assert report.suggested_granularity == pb.PERIOD_KIND_MONTH
    rows = table(report)
    assert list(rows) == ["2025-12", "2025-Q4", "2025", "2026-01", "2026-02"]  # March is still open
    assert rows["2026-01"] == {
        "sessions_booked": 48,
        "sessions_fulfilled": 24,
        "no_shows": 12,
        "late_cancellations": "complementary",  # hidden so the one below cannot be derived
        "other_cancellations": "small",  # one officer
        "unresolved_sessions": 0,
        "no_show_rate": round(12 / 36, 4),
        "late_cancel_rate": "complementary",
        "officers_served": 24,
        "median_days_enrolment_to_first_session": 35,
        "median_urgent_wait_minutes": 6,
        "sessions_on_days_off": "n/a",  # these events carry no day kinds
        "sessions_on_work_days": "n/a",
        "day_kind_not_recorded": 24,
        "day_off_share": "n/a",
        "peer_sessions": 12,
        "clinician_sessions": 12,
        "tier_not_recorded": 0,
        "peer_share": 0.5,
        "feedback_responses": 12,
        "mean_rating": 4.5,
        "recommend_share": 1,
        "mean_stress_before": 8,
        "mean_stress_after": 5,
        "mean_stress_change": -3,
        "median_seconds_to_first_accept": 35,  # 11 urgent requests, 11 officers: shown
        "median_seconds_to_human_joined": 95,
        "urgent_follow_ups_booked": 11,
        "urgent_referrals": 0,
        "urgent_nothing_further": 0,
        "referrals_made": 0,
        "referrals_accepted": 0,
        "referrals_completed": 0,
    }
    assert rows["2026-02"]["sessions_booked"] == 0


async def test_a_hidden_figure_cannot_be_recovered_from_the_shown_ones(harness: Harness) -> None:
    await busy_january(harness)
    harness.clock.now = utc(2026, 4, 20)  # January to March and the first quarter are out
    report = await harness.report()
    rows = table(report)
    periods = [Period.parse(label) for label in rows]
    hidden = [
        (p, m)
        for p in periods
        for m in ADDITIVE
        if m.value in rows[p.label] and isinstance(rows[p.label][m.value], str)
    ]
    small = {(p, m) for p, m in hidden if rows[p.label][m.value] == "small"}
    assert small  # there is something to protect
    assert not determined(hidden, relations(periods)) & small
    q1 = rows["2026-Q1"]
    assert (q1["sessions_booked"], q1["other_cancellations"]) == (48, "small")


async def test_figures_for_fewer_than_eleven_officers_are_suppressed(harness: Harness) -> None:
    for i in range(10):  # ten officers, three sessions each: 30 sessions, still ten people
        for k in range(3):
            await harness.session(appointment(f"ap-{i}-{k}", [f"off-{i}"], utc(2026, 1, 5 + 7 * k, 15)))
    await harness.settle()
    harness.clock.now = utc(2026, 4, 20)
    rows = table(await harness.report())
    for label in ("2026-01", "2026-Q1"):
        counts = {k: v for k, v in rows[label].items() if v not in (0, "n/a")}
        assert counts
        assert set(counts.values()) == {"small"}, label
    text = await harness.stub.ExportAgencyReportCsv(
        pb.ExportAgencyReportCsvRequest(), metadata=harness.admin()
    )
    records = {r["period"]: r for r in csv.DictReader(io.StringIO(text.content.decode()))}
    assert records["2026-01"]["sessions_fulfilled"] == "suppressed"
    assert "30" not in text.content.decode()


async def test_a_small_agency_sees_quarters_instead_of_nothing(harness: Harness) -> None:
    for i in range(15):  # five officers a month
        await harness.session(appointment(f"ap-{i}", [f"off-{i}"], utc(2026, 1 + i % 3, 10, 15)))
    await harness.settle()
    harness.clock.now = utc(2026, 4, 20)
    report = await harness.report()
    rows = table(report)
    assert [rows[m]["sessions_fulfilled"] for m in ("2026-01", "2026-02", "2026-03")] == ["small"] * 3
    assert (rows["2026-Q1"]["sessions_fulfilled"], rows["2026-Q1"]["officers_served"]) == (15, 15)
    assert report.suggested_granularity == pb.PERIOD_KIND_QUARTER


async def test_published_figures_never_change(harness: Harness) -> None:
    for i in range(12):
        await harness.session(appointment(f"ap-{i}", [f"off-{i}"], utc(2026, 1, 10, 15)))
    await harness.settle()
    harness.clock.now = utc(2026, 2, 20)
    before = await harness.report()
    assert table(before)["2026-01"]["sessions_fulfilled"] == 12
    # A late correction for January: it must not move the published month (a difference of two
    # reports would single out the officers it concerns).
    late = appointment("ap-0", ["off-0"], utc(2026, 1, 10, 15))
    await harness.status(late, S.APPOINTMENT_STATUS_ENTERED_IN_ERROR, S.APPOINTMENT_STATUS_FULFILLED)
    await harness.session(appointment("ap-late", ["off-99"], utc(2026, 1, 11, 15)))
    await harness.settle()
    harness.clock.now = utc(2026, 3, 20)
    after = await harness.report()
    assert table(after)["2026-01"] == table(before)["2026-01"]
    assert table(after)["2026-02"]["sessions_fulfilled"] == 0


async def test_who_may_see_which_agency(harness: Harness) -> None:
    for agency in ("agency-1", "agency-2"):
        for i in range(11):
            await harness.session(
                appointment(f"{agency}-{i}", [f"{agency}-o{i}"], utc(2026, 1, 9), agency_id=agency)
            )
    await harness.settle()
    get = harness.stub.GetAgencyReport
    own = await get(pb.GetAgencyReportRequest(agency_id="agency-1"), metadata=harness.admin())
    assert table(own)["2026-01"]["sessions_fulfilled"] == 11
    denied = [
        (
            get,
            pb.GetAgencyReportRequest(agency_id="agency-2"),
            harness.admin(),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        (get, pb.GetAgencyReportRequest(), harness.officer("agency-1-o1"), grpc.StatusCode.PERMISSION_DENIED),
        (get, pb.GetAgencyReportRequest(), (), grpc.StatusCode.UNAUTHENTICATED),
        (get, pb.GetAgencyReportRequest(), harness.operator(), grpc.StatusCode.INVALID_ARGUMENT),
        (
            get,
            pb.GetAgencyReportRequest(agency_id="{x}"),
            harness.operator(),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            harness.stub.ExportAgencyReportCsv,
            pb.ExportAgencyReportCsvRequest(agency_id="agency-2"),
            harness.admin(),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        (
            harness.stub.ListAgencyReports,
            pb.ListAgencyReportsRequest(),
            harness.admin(),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
    ]
    for call, request, metadata, expected in denied:
        with pytest.raises(grpc.RpcError) as caught:
            await call(request, metadata=metadata)
        assert code(caught.value) == expected, (request, expected)
    other = await get(pb.GetAgencyReportRequest(agency_id="agency-2"), metadata=harness.operator())
    assert table(other)["2026-01"]["sessions_fulfilled"] == 11
    everyone = await harness.stub.ListAgencyReports(
        pb.ListAgencyReportsRequest(), metadata=harness.operator()
    )
    assert [r.agency_id for r in everyone.reports] == ["agency-1", "agency-2"]
    assert [table(r) for r in everyone.reports] == [table(own), table(other)]


def _strings(message: Message) -> list[str]:
    out: list[str] = []
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                out += _strings(item)
            elif isinstance(item, bytes):
                out.append(item.decode())
            elif isinstance(item, str):
                out.append(item)
    return out


async def test_no_rpc_returns_a_per_officer_row(harness: Harness) -> None:
    await busy_january(harness)
    harness.clock.now = utc(2026, 4, 20)
    replies: list[Message] = [
        await harness.report(),
        await harness.stub.ExportAgencyReportCsv(pb.ExportAgencyReportCsvRequest(), metadata=harness.admin()),
        await harness.stub.ListAgencyReports(pb.ListAgencyReportsRequest(), metadata=harness.operator()),
    ]
    text = "\n".join(s for reply in replies for s in _strings(reply))
    for identifier in [*OFFICERS, "ap-0", "ap-ns-12", "therapist-1", "peer-1"]:
        assert identifier not in text
    report = replies[0]
    assert isinstance(report, pb.AgencyReport)
    labels = [row.period.label for row in report.periods]
    assert len(labels) == len(set(labels))  # one row per period, nothing else
    assert all(label.startswith(("2025", "2026")) for label in labels)
    csv_rows = list(csv.DictReader(io.StringIO(replies[1].content.decode())))  # type: ignore[attr-defined]
    assert [r["period"] for r in csv_rows] == labels


async def test_sessions_on_days_off_and_work_days_come_from_the_booked_day_kinds(harness: Harness) -> None:
    off, work = DayKind.DAY_KIND_DAY_OFF, DayKind.DAY_KIND_WORK_DAY
    for i, officer in enumerate(OFFICERS):
        await harness.enrol(officer, at=utc(2025, 12, 1, 8))
        session = appointment(f"ap-{i}", [officer], utc(2026, 1, 5 + i % 20, 15))
        session.officer_day_kinds.append(off if i < 13 else work)  # 13 officers off duty, 11 on
        await harness.session(session)
    unknown = appointment("ap-unknown", [OFFICERS[0]], utc(2026, 1, 28, 15))  # recorded by no roster
    unknown.officer_day_kinds.append(DayKind.DAY_KIND_UNSPECIFIED)
    await harness.session(unknown)
    await harness.settle()
    harness.clock.now = utc(2026, 3, 20)
    january = table(await harness.report())["2026-01"]
    assert {k: january[k] for k in ("sessions_fulfilled", "day_kind_not_recorded")} == {
        "sessions_fulfilled": 25,
        "day_kind_not_recorded": "small",  # one officer
    }
    # Hidden with it so that the small cell cannot be derived from fulfilled = off + work + unknown.
    hidden = [k for k in ("sessions_on_days_off", "sessions_on_work_days") if isinstance(january[k], str)]
    assert [january[k] for k in hidden] == ["complementary"]
    shown = {"sessions_on_days_off": 13, "sessions_on_work_days": 11}
    assert {k: v for k, v in shown.items() if k not in hidden} == {
        k: january[k] for k in shown if k not in hidden
    }


async def test_day_off_share_is_shown_when_every_cell_has_enough_officers(harness: Harness) -> None:
    off, work = DayKind.DAY_KIND_DAY_OFF, DayKind.DAY_KIND_WORK_DAY
    for i, officer in enumerate(OFFICERS):
        await harness.enrol(officer, at=utc(2025, 12, 1, 8))
        session = appointment(f"ap-{i}", [officer], utc(2026, 1, 5 + i % 20, 15))
        session.officer_day_kinds.append(off if i < 13 else work)
        await harness.session(session)
    await harness.settle()
    harness.clock.now = utc(2026, 3, 20)
    january = table(await harness.report())["2026-01"]
    assert {
        k: january[k]
        for k in ("sessions_on_days_off", "sessions_on_work_days", "day_kind_not_recorded", "day_off_share")
    } == {
        "sessions_on_days_off": 13,
        "sessions_on_work_days": 11,
        "day_kind_not_recorded": 0,
        "day_off_share": round(13 / 24, 4),
    }
