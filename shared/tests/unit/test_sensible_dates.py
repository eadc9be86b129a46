"""Typed dates outside what a person can mean are refused with the bounds in plain words."""

from __future__ import annotations

from datetime import date

from tenfour_shared.sensible_dates import date_range_problem

TODAY = date(2026, 12, 5)


def test_dates_within_twenty_years_back_and_ten_ahead_pass() -> None:
    for day in (TODAY, date(2006, 12, 5), date(2036, 12, 5), date(2020, 1, 1)):
        assert date_range_problem(day, TODAY) is None


def test_slips_of_the_keyboard_are_refused_with_the_bounds() -> None:
    for day in (date(1, 1, 1), date(1900, 1, 1), date(2006, 12, 4), date(2036, 12, 6), date(9999, 12, 31)):
        assert date_range_problem(day, TODAY) == "must be between 2006-12-05 and 2036-12-05"


def test_a_leap_day_today_still_has_bounds() -> None:
    leap = date(2028, 2, 29)
    assert date_range_problem(date(2038, 2, 28), leap) is None
    assert date_range_problem(date(2038, 3, 1), leap) == "must be between 2008-02-29 and 2038-02-28"
