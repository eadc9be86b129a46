"""The report readers see: derived figures only from shown ones, CSV, suggested granularity."""

from __future__ import annotations

import csv
import io

from tenfour_outcomes.domain.metrics import ADDITIVE, DISTINCT, MIRRORED, Metric
from tenfour_outcomes.domain.periods import Period, PeriodKind
from tenfour_outcomes.domain.publication import Published, Release
from tenfour_outcomes.domain.report import FIELDS, FigureStatus, build_report, to_csv
from tenfour_outcomes.domain.suppression import Status

M = Metric
JAN, FEB, MAR = (Period.month(2026, m) for m in (1, 2, 3))
Q1 = Period.quarter(2026, 1)


def row(**overrides: tuple[float | None, Status]) -> dict[Metric, Published]:
    out = {m: Published(0, Status.SHOWN) for m in (*ADDITIVE, *MIRRORED)}
    out |= {m: Published(None, Status.SHOWN) for m in DISTINCT}  # a median of nobody
    for name, (value, status) in overrides.items():
        out[Metric(name)] = Published(value, status)
    return out


SHOWN, SMALL, COMP = Status.SHOWN, Status.SMALL_CELL, Status.COMPLEMENTARY


def test_rates_and_means_come_from_shown_figures_only() -> None:
    figures = row(
        sessions_booked=(50, SHOWN),
        sessions_fulfilled=(36, SHOWN),
        no_shows=(12, SHOWN),
        late_cancellations=(2, SMALL),
        other_cancellations=(0, COMP),
        feedback_responses=(20, SHOWN),
        rating_sum=(80, SHOWN),
        recommend_yes=(15, SHOWN),
        recommend_no=(5, SMALL),
        stress_before_sum=(140, SHOWN),
        stress_after_sum=(90, SHOWN),
        peer_sessions=(12, SHOWN),
        clinician_sessions=(24, SHOWN),
    )
    report = build_report("agency-1", [Release(JAN, {JAN: figures})])
    f = report.rows[0].figures
    assert set(f) == set(FIELDS)
    assert (f["no_show_rate"].status, f["no_show_rate"].value) == (FigureStatus.SHOWN, 0.25)
    assert f["late_cancel_rate"].status is FigureStatus.SMALL_CELL
    assert f["late_cancellations"].status is FigureStatus.SMALL_CELL
    assert f["other_cancellations"].status is FigureStatus.COMPLEMENTARY
    assert (f["mean_rating"].value, f["mean_stress_before"].value, f["mean_stress_after"].value) == (
        4,
        7,
        4.5,
    )
    assert f["mean_stress_change"].value == -2.5
    assert f["recommend_share"].status is FigureStatus.SMALL_CELL  # "no" is based on few officers
    assert (f["peer_share"].value, f["peer_sessions"].value) == (round(12 / 36, 4), 12)
    assert f["median_urgent_wait_minutes"].status is FigureStatus.NOT_AVAILABLE
    # Nothing recorded about days off: not "zero sessions on days off".
    assert f["sessions_on_days_off"].status is FigureStatus.NOT_AVAILABLE
    assert f["day_off_share"].status is FigureStatus.NOT_AVAILABLE


def test_rows_come_month_by_month_with_their_quarter_and_the_suggested_kind() -> None:
    small = row(sessions_fulfilled=(8, SMALL))
    big = row(sessions_fulfilled=(30, SHOWN))
    releases = [
        Release(JAN, {JAN: small}),
        Release(FEB, {FEB: small}),
        Release(MAR, {MAR: small, Q1: big}),
    ]
    report = build_report("agency-1", releases)
    assert [r.period.label for r in report.rows] == ["2026-01", "2026-02", "2026-03", "2026-Q1"]
    assert (report.suggested, report.published_through) == (PeriodKind.QUARTER, MAR)
    busy = build_report("agency-1", [Release(JAN, {JAN: big}), Release(FEB, {FEB: big})])
    assert busy.suggested is PeriodKind.MONTH
    assert build_report("agency-1", []).rows == ()


def test_csv_has_a_header_one_row_per_period_and_says_what_is_suppressed() -> None:
    figures = row(sessions_booked=(50, SHOWN), sessions_fulfilled=(45, COMP), no_shows=(5, SMALL))
    text = to_csv(build_report("agency-1", [Release(JAN, {JAN: figures})]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["period", "period_kind", *FIELDS]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["period"], record["period_kind"], record["sessions_booked"]) == ("2026-01", "month", "50")
    assert (record["sessions_fulfilled"], record["no_shows"]) == ("suppressed", "suppressed")
    assert record["median_urgent_wait_minutes"] == "n/a"
