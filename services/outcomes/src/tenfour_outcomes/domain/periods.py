"""Reporting periods on the UTC calendar: months, quarters, years, and when each is published.

Days are counted from 1970-01-01 (UTC) so stored facts hold a day number, never a timestamp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

__all__ = ["EPOCH", "Period", "PeriodKind", "day_number", "month_of_day", "publication_order"]

EPOCH = date(1970, 1, 1)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_COARSENESS = {PeriodKind.MONTH: 0, PeriodKind.QUARTER: 1, PeriodKind.YEAR: 2}


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: int
    kind_rank: int  # 0 month, 1 quarter, 2 year: with `index`, orders rows within a year
    index: int  # month 1-12, quarter 1-4, 1 for the year

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, 0, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, 1, quarter)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(year, 2, 1)

    @classmethod
    def parse_month(cls, label: str) -> Period:
        match = _MONTH.fullmatch(label)
        if match is None:
            raise ValueError(f"not a month label: {label[:20]!r}")
        return cls.month(int(match[1]), int(match[2]))

    @classmethod
    def parse(cls, label: str) -> Period:
        if len(label) == 4 and label.isdigit():
            return cls.whole_year(int(label))
        if len(label) == 7 and label[4:6] == "-Q" and label[:4].isdigit() and label[6] in "1234":
            return cls.quarter(int(label[:4]), int(label[6]))
        return cls.parse_month(label)

    @property
    def kind(self) -> PeriodKind:
        return (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)[self.kind_rank]

    @property
    def coarseness(self) -> int:
        return _COARSENESS[self.kind]

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    @property
    def ordinal(self) -> int:
        """Months only: consecutive months have consecutive ordinals."""
        return self.year * 12 + self.index - 1

    @property
    def first_month(self) -> Period:
        if self.kind is PeriodKind.MONTH:
            return self
        if self.kind is PeriodKind.QUARTER:
            return Period.month(self.year, 3 * self.index - 2)
        return Period.month(self.year, 1)

    @property
    def last_month(self) -> Period:
        if self.kind is PeriodKind.MONTH:
            return self
        if self.kind is PeriodKind.QUARTER:
            return Period.month(self.year, 3 * self.index)
        return Period.month(self.year, 12)

    def months(self) -> tuple[Period, ...]:
        first, last = self.first_month.index, self.last_month.index
        return tuple(Period.month(self.year, m) for m in range(first, last + 1))

    def children(self) -> tuple[Period, ...]:
        """What this period is the sum of: a quarter's months, a year's quarters."""
        if self.kind is PeriodKind.QUARTER:
            return self.months()
        if self.kind is PeriodKind.YEAR:
            return tuple(Period.quarter(self.year, q) for q in range(1, 5))
        return ()

    def quarter_of(self) -> Period:
        return Period.quarter(self.year, (self.first_month.index - 1) // 3 + 1)

    def next_month(self) -> Period:
        return Period.month(self.year + self.index // 12, self.index % 12 + 1)

    def start(self) -> datetime:
        return datetime(self.year, self.first_month.index, 1, tzinfo=UTC)

    def end(self) -> datetime:
        """First instant after the period."""
        return self.last_month.next_month().start()

    def first_day(self) -> int:
        return (self.start().date() - EPOCH).days

    def last_day(self) -> int:
        return (self.end().date() - EPOCH).days - 1

    def published_at(self, delay: timedelta) -> datetime:
        """When the period's figures are published (and its feedback closes)."""
        return self.last_month.end() + delay

    def closed_by(self) -> tuple[Period, ...]:
        """The rows published together with this month: itself, its quarter and year if it ends them."""
        rows = [self]
        if self.index % 3 == 0:
            rows.append(self.quarter_of())
        if self.index == 12:
            rows.append(Period.whole_year(self.year))
        return tuple(rows)


def day_number(at: datetime) -> int:
    return (at.astimezone(UTC).date() - EPOCH).days


def month_of_day(day: int) -> Period:
    on = EPOCH + timedelta(days=day)
    return Period.month(on.year, on.month)


def publication_order(periods: list[Period]) -> list[Period]:
    """Months in order, each quarter after its last month, each year after its December."""
    return sorted(periods, key=lambda p: (p.year, p.last_month.index, p.kind_rank))
