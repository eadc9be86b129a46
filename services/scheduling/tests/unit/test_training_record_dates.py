"""A training record dated in a mistyped year (1900, 9999) is refused next to its field (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

from tenfour_scheduling.domain.readiness import record_problems

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def fields(completed: datetime, expires: datetime | None) -> dict[str, str]:
    return {
        v.field: v.description
        for v in record_problems("annual_refresher", "Academy", completed, expires, NOW)
    }


def test_sensible_dates_pass() -> None:
    assert fields(datetime(2025, 3, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)) == {}


def test_mistyped_years_are_refused_on_their_fields() -> None:
    got = fields(datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))
    assert got == {
        "completed_at": "must be between 2006-12-05 and 2036-12-05",
        "expires_at": "must be between 2006-12-05 and 2036-12-05",
    }
