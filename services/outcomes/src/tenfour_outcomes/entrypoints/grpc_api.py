"""gRPC servicer: a thin translation between protobuf and the outcomes use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias

from grpc import aio

from tenfour.outcomes.v1 import outcomes_pb2 as pb
from tenfour.outcomes.v1 import outcomes_pb2_grpc
from tenfour_outcomes.domain.campaigns import Campaign, CampaignRelease
from tenfour_outcomes.domain.periods import PeriodKind
from tenfour_outcomes.domain.report import FIELDS, Figure, FigureStatus, Report
from tenfour_outcomes.domain.suppression import MIN_OFFICERS, Status
from tenfour_outcomes.service.feedback import FeedbackService
from tenfour_outcomes.service.reports import Reports
from tenfour_shared.auth.principal import current_principal

__all__ = ["SERVICE_NAME", "OutcomesApi", "report_message"]

SERVICE_NAME = "tenfour.outcomes.v1.OutcomesService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]
_KINDS = {
    PeriodKind.MONTH: pb.PERIOD_KIND_MONTH,
    PeriodKind.QUARTER: pb.PERIOD_KIND_QUARTER,
    PeriodKind.YEAR: pb.PERIOD_KIND_YEAR,
}
_STATUSES = {
    FigureStatus.SHOWN: pb.FIGURE_STATUS_SHOWN,
    FigureStatus.SMALL_CELL: pb.FIGURE_STATUS_SUPPRESSED_SMALL_CELL,
    FigureStatus.COMPLEMENTARY: pb.FIGURE_STATUS_SUPPRESSED_COMPLEMENTARY,
    FigureStatus.NOT_AVAILABLE: pb.FIGURE_STATUS_NOT_AVAILABLE,
}


def _figure(figure: Figure) -> pb.Figure:
    value = figure.value if figure.status is FigureStatus.SHOWN and figure.value is not None else 0.0
    return pb.Figure(status=_STATUSES[figure.status], value=value)


def report_message(report: Report) -> pb.AgencyReport:
    out = pb.AgencyReport(
        agency_id=report.agency_id,
        suggested_granularity=_KINDS[report.suggested],
        min_officers=MIN_OFFICERS,
        published_through=report.published_through.label if report.published_through else "",
    )
    for row in report.rows:
        period = pb.Period(kind=_KINDS[row.period.kind], label=row.period.label)
        period.range.start.FromDatetime(row.period.start())
        period.range.end.FromDatetime(row.period.end())
        message = out.periods.add(period=period)
        for name in FIELDS:
            getattr(message, name).CopyFrom(_figure(row.figures[name]))
    return out


_CAMPAIGN_FIGURES = ("invited", "booked", "completed", "booked_rate", "completed_rate")


def campaign_message(
    campaign: Campaign, release: CampaignRelease | None, publishes: datetime
) -> pb.CampaignFigures:
    out = pb.CampaignFigures(
        campaign_id=campaign.campaign_id,
        title=campaign.title,
        attendance_confirmation=campaign.attendance,
        published=release is not None,
    )
    out.window.start.FromDatetime(campaign.first.start())
    out.window.end.FromDatetime(campaign.last.end())
    out.publishes_at.FromDatetime(publishes)
    for name in _CAMPAIGN_FIGURES:
        shown = release.figures.get(name) if release is not None else None
        if shown is None or (shown.status is Status.SHOWN and shown.value is None):
            figure = Figure(FigureStatus.NOT_AVAILABLE)
        else:
            figure = Figure(FigureStatus(shown.status.value), shown.value)
        getattr(out, name).CopyFrom(_figure(figure))
    return out


class OutcomesApi(outcomes_pb2_grpc.OutcomesServiceServicer):
    def __init__(self, feedback: FeedbackService, reports: Reports) -> None:
        self._feedback = feedback
        self._reports = reports

    async def IssueFeedbackCredential(
        self, request: pb.IssueFeedbackCredentialRequest, context: Ctx
    ) -> pb.FeedbackCredential:
        text, closes = await self._feedback.issue(current_principal(), request.appointment_id)
        reply = pb.FeedbackCredential(credential=text)
        reply.closes_at.FromDatetime(closes)
        return reply

    async def SubmitFeedback(
        self, request: pb.SubmitFeedbackRequest, context: Ctx
    ) -> pb.SubmitFeedbackResponse:
        await self._feedback.submit(
            current_principal(),
            request.credential,
            request.rating,
            request.would_recommend if request.HasField("would_recommend") else None,
            request.stress_before if request.HasField("stress_before") else None,
            request.stress_after if request.HasField("stress_after") else None,
        )
        return pb.SubmitFeedbackResponse()

    async def GetAgencyReport(self, request: pb.GetAgencyReportRequest, context: Ctx) -> pb.AgencyReport:
        return report_message(await self._reports.report(current_principal(), request.agency_id))

    async def ExportAgencyReportCsv(
        self, request: pb.ExportAgencyReportCsvRequest, context: Ctx
    ) -> pb.CsvFile:
        report, text = await self._reports.csv(current_principal(), request.agency_id)
        through = report.published_through.label if report.published_through else "none"
        return pb.CsvFile(
            filename=f"tenfour-outcomes-{report.agency_id}-{through}.csv",
            content_type="text/csv; charset=utf-8",
            content=text.encode(),
        )

    async def ListAgencyReports(
        self, request: pb.ListAgencyReportsRequest, context: Ctx
    ) -> pb.ListAgencyReportsResponse:
        reports = await self._reports.every_agency(current_principal())
        return pb.ListAgencyReportsResponse(reports=[report_message(r) for r in reports])

    async def ListCampaignReports(
        self, request: pb.ListCampaignReportsRequest, context: Ctx
    ) -> pb.ListCampaignReportsResponse:
        found = await self._reports.campaigns(current_principal(), request.agency_id)
        return pb.ListCampaignReportsResponse(
            campaigns=[campaign_message(*c) for c in found], min_officers=MIN_OFFICERS
        )
