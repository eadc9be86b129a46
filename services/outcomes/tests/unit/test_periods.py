"""Periods on the UTC calendar and when each is published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_outcomes.domain.periods import Period, PeriodKind, day_number, month_of_day, publication_order


def test_labels_parse_back_and_name_the_kind() -> None:
    for period, label, kind in (
        (Period.month(2026, 3), "2026-03", PeriodKind.MONTH),
        (Period.quarter(2026, 1), "2026-Q1", PeriodKind.QUARTER),
        (Period.whole_year(2026), "2026", PeriodKind.YEAR),
    ):
        assert (period.label, period.kind) == (label, kind)
        assert Period.parse(label) == period


@pytest.mark.parametrize("label", ["2026-13", "2026-00", "26-01", "2026-1", "", "2026-Q5x"])
def test_bad_month_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        Period.parse_month(label)


def test_quarters_and_years_are_sums_of_their_parts() -> None:
    q2 = Period.quarter(2026, 2)
    assert q2.children() == (Period.month(2026, 4), Period.month(2026, 5), Period.month(2026, 6))
    assert Period.whole_year(2026).children() == tuple(Period.quarter(2026, q) for q in range(1, 5))
    assert Period.month(2026, 5).children() == ()
    assert (q2.start(), q2.end()) == (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))


def test_a_month_is_published_with_the_quarter_and_year_it_completes() -> None:
    assert Period.month(2026, 2).closed_by() == (Period.month(2026, 2),)
    assert Period.month(2026, 3).closed_by() == (Period.month(2026, 3), Period.quarter(2026, 1))
    assert Period.month(2026, 12).closed_by() == (
        Period.month(2026, 12),
        Period.quarter(2026, 4),
        Period.whole_year(2026),
    )
    december = Period.month(2025, 12)
    assert december.next_month() == Period.month(2026, 1)
    assert december.published_at(timedelta(days=14)) == datetime(2026, 1, 15, tzinfo=UTC)


def test_rows_come_in_publication_order() -> None:
    rows = [Period.whole_year(2025), Period.month(2025, 12), Period.quarter(2025, 4), Period.month(2026, 1)]
    assert [p.label for p in publication_order(rows)] == ["2025-12", "2025-Q4", "2025", "2026-01"]


def test_days_are_counted_in_utc() -> None:
    late_evening_in_chicago = datetime(2026, 1, 31, 23, 30, tzinfo=UTC) + timedelta(hours=1)
    assert month_of_day(day_number(late_evening_in_chicago)) == Period.month(2026, 2)
    assert Period.month(2026, 2).first_day() == day_number(datetime(2026, 2, 1, tzinfo=UTC))
    assert Period.month(2026, 2).last_day() == day_number(datetime(2026, 2, 28, tzinfo=UTC))
