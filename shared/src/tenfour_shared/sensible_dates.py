"""The range of calendar dates a person can mean when they type one into Tenfour.

A rotation start of 0001-01-01 or a one-day change in 1900 is a typing slip, not a plan, and
would make every later computation walk centuries of days. Decision: from 20 years before today
(an old but still valid rotation anchor) to 10 years after it (far beyond any booking horizon).
The web app uses the same bounds on its date inputs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = ["YEARS_AFTER", "YEARS_BEFORE", "date_range_problem"]

YEARS_BEFORE = 20
YEARS_AFTER = 10


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_range_problem(day: date, today: date | None = None) -> str | None:
    """Why `day` is refused, in words for its field, or None when it is in range."""
    today = today or datetime.now(UTC).date()
    first, last = _shift(today, -YEARS_BEFORE), _shift(today, YEARS_AFTER)
    if first <= day <= last:
        return None
    return f"must be between {first.isoformat()} and {last.isoformat()}"
