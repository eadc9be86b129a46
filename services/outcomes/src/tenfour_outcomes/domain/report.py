"""An agency's report as readers see it: published rows, derived rates and means, CSV.

Derived figures (rates, shares, means) are computed from published figures only, and only
when every input is shown, so they reveal nothing that the published figures do not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tenfour_outcomes.domain.metrics import Metric
from tenfour_outcomes.domain.periods import Period, PeriodKind, publication_order
from tenfour_outcomes.domain.publication import Published, Release
from tenfour_outcomes.domain.suppression import Status

__all__ = ["FIELDS", "Figure", "FigureStatus", "Report", "ReportRow", "build_report", "to_csv"]

M = Metric


class FigureStatus(StrEnum):
    SHOWN = "shown"
    SMALL_CELL = "small_cell"
    COMPLEMENTARY = "complementary"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True, slots=True)
class Figure:
    status: FigureStatus
    value: float | None = None  # set only when shown


# The row's published fields, in the order of tenfour.outcomes.v1.PeriodFigures.
FIELDS: tuple[str, ...] = (
    "sessions_booked", "sessions_fulfilled", "no_shows", "late_cancellations", "other_cancellations",
    "unresolved_sessions", "no_show_rate", "late_cancel_rate", "officers_served",
    "median_days_enrolment_to_first_session", "median_urgent_wait_minutes",
    "sessions_on_days_off", "sessions_on_work_days", "day_kind_not_recorded", "day_off_share",
    "peer_sessions", "clinician_sessions", "tier_not_recorded", "peer_share",
    "feedback_responses", "mean_rating", "recommend_share", "mean_stress_before",
    "mean_stress_after", "mean_stress_change", "median_seconds_to_first_accept",
    "median_seconds_to_human_joined", "urgent_follow_ups_booked", "urgent_referrals",
    "urgent_nothing_further", "referrals_made", "referrals_accepted", "referrals_completed",
)  # fmt: skip
_DIRECT = (
    M.BOOKED, M.FULFILLED, M.NO_SHOWS, M.LATE_CANCELS, M.OTHER_CANCELS, M.UNRESOLVED,
    M.OFFICERS_SERVED, M.DAYS_TO_FIRST_SESSION, M.URGENT_WAIT, M.DAY_OFF, M.WORK_DAY,
    M.DAY_UNKNOWN, M.PEER, M.CLINICIAN, M.TIER_UNKNOWN, M.RESPONSES, M.URGENT_ACCEPT, M.URGENT_JOINED,
    M.WRAP_FOLLOW_UP, M.WRAP_REFERRED, M.WRAP_NONE, M.REFERRALS_MADE, M.REFERRALS_ACCEPTED,
    M.REFERRALS_COMPLETED,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReportRow:
    period: Period
    figures: Mapping[str, Figure]  # every name in FIELDS


@dataclass(frozen=True, slots=True)
class Report:
    agency_id: str
    rows: tuple[ReportRow, ...]
    suggested: PeriodKind
    published_through: Period | None


def _figure(published: Published) -> Figure:
    if published.status is Status.SHOWN:
        if published.value is None:
            return Figure(FigureStatus.NOT_AVAILABLE)
        return Figure(FigureStatus.SHOWN, published.value)
    return Figure(FigureStatus(published.status.value))


def _hidden(inputs: Iterable[Published]) -> Figure | None:
    statuses = {p.status for p in inputs}
    if Status.SMALL_CELL in statuses:
        return Figure(FigureStatus.SMALL_CELL)
    if Status.COMPLEMENTARY in statuses:
        return Figure(FigureStatus.COMPLEMENTARY)
    return None


def _ratio(
    row: Mapping[Metric, Published], numerator: Sequence[Metric], denominator: Sequence[Metric]
) -> Figure:
    """(sum of numerator figures, minus the second if given twice) / sum of denominator figures."""
    hidden = _hidden(row[m] for m in (*numerator, *denominator))
    if hidden is not None:
        return hidden
    below = sum(row[m].value or 0 for m in denominator)
    if not below:
        return Figure(FigureStatus.NOT_AVAILABLE)
    above = sum((row[m].value or 0) * (1 if i == 0 else -1) for i, m in enumerate(numerator))
    return Figure(FigureStatus.SHOWN, round(above / below, 4))


def _row(period: Period, row: Mapping[Metric, Published]) -> ReportRow:
    # A row published before a metric existed has no figure for it: not available.
    figures = {m.value: _figure(row[m]) if m in row else Figure(FigureStatus.NOT_AVAILABLE) for m in _DIRECT}
    figures["no_show_rate"] = _ratio(row, [M.NO_SHOWS], [M.FULFILLED, M.NO_SHOWS])
    figures["late_cancel_rate"] = _ratio(row, [M.LATE_CANCELS], [M.BOOKED])
    figures["day_off_share"] = _ratio(row, [M.DAY_OFF], [M.DAY_OFF, M.WORK_DAY])
    figures["peer_share"] = _ratio(row, [M.PEER], [M.PEER, M.CLINICIAN])
    for parts, share in (((M.DAY_OFF, M.WORK_DAY), "day_off_share"), ((M.PEER, M.CLINICIAN), "peer_share")):
        if all(figures[p.value].status is FigureStatus.SHOWN and not figures[p.value].value for p in parts):
            # Nothing recorded at all (not: none of them): say so rather than show zeros.
            for name in (*(p.value for p in parts), share):
                figures[name] = Figure(FigureStatus.NOT_AVAILABLE)
    figures["mean_rating"] = _ratio(row, [M.RATING_SUM], [M.RESPONSES])
    figures["recommend_share"] = _ratio(row, [M.RECOMMEND_YES], [M.RECOMMEND_YES, M.RECOMMEND_NO])
    figures["mean_stress_before"] = _ratio(row, [M.STRESS_BEFORE_SUM], [M.RESPONSES])
    figures["mean_stress_after"] = _ratio(row, [M.STRESS_AFTER_SUM], [M.RESPONSES])
    figures["mean_stress_change"] = _ratio(row, [M.STRESS_AFTER_SUM, M.STRESS_BEFORE_SUM], [M.RESPONSES])
    return ReportRow(period, figures)


def _suggested(rows: Sequence[ReportRow]) -> PeriodKind:
    """The finest kind whose rows mostly show their headline figure; else the best-shown one."""
    shares: list[tuple[float, int, PeriodKind]] = []
    for rank, kind in enumerate(PeriodKind):
        # Rows with nothing to show (a month before the first session) do not count either way.
        of_kind = [r for r in rows if r.period.kind is kind and r.figures["sessions_fulfilled"].value != 0]
        if of_kind:
            shown = sum(r.figures["sessions_fulfilled"].status is FigureStatus.SHOWN for r in of_kind)
            shares.append((shown / len(of_kind), rank, kind))
    for share, _, kind in shares:
        if share >= 0.75:
            return kind
    return max(shares, default=(0.0, 0, PeriodKind.MONTH))[2]


def build_report(agency_id: str, releases: Iterable[Release]) -> Report:
    published: dict[Period, Mapping[Metric, Published]] = {}
    months: list[Period] = []
    for release in releases:
        published.update(release.rows)
        months.append(release.month)
    rows = tuple(_row(p, published[p]) for p in publication_order(list(published)))
    return Report(agency_id, rows, _suggested(rows), max(months, default=None))


def _cell(figure: Figure) -> str:
    if figure.status is FigureStatus.SHOWN and figure.value is not None:
        return str(int(figure.value)) if figure.value == int(figure.value) else str(round(figure.value, 4))
    if figure.status is FigureStatus.NOT_AVAILABLE:
        return "n/a"
    return "suppressed"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "period_kind", *FIELDS])
    for row in report.rows:
        writer.writerow([row.period.label, row.period.kind.value, *(_cell(row.figures[f]) for f in FIELDS)])
    return out.getvalue()
