"""Publishing periods: each month once, after it closed, frozen from then on.

A month is published `delay` after it ends, together with the quarter and the year it
completes. Its figures never change afterwards, whatever events arrive late, so two reports
taken at different times cannot be subtracted to isolate a few sessions; feedback for the month
closes at the same instant.

Suppression runs over the whole calendar year so far: rows published earlier are fixed, and the
new rows are suppressed so that no small cell of the year (earlier or new) can be derived from
all the figures published for it. A quarter's and a year's additive figures are the sums of the
published (frozen) figures of their parts, hidden ones included, so the relations hold exactly;
the people behind them and their medians come from the read model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenfour_outcomes.domain.measure import Inputs, Raw, measure
from tenfour_outcomes.domain.metrics import ADDITIVE, DISTINCT, MIRRORED, Metric, relations
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.suppression import MIN_OFFICERS, Cell, Status, is_small, suppress

__all__ = ["Published", "Release", "due_months", "publish"]


@dataclass(frozen=True, slots=True)
class Published:
    value: float | None
    status: Status


Row = Mapping[Metric, Published]
# A figure missing from a row published before its metric existed: nothing was recorded then.
_NOT_YET = Published(0.0, Status.SHOWN)


@dataclass(frozen=True, slots=True)
class Release:
    """What publishing one month produced: its row, and the quarter's and year's it completed."""

    month: Period
    rows: Mapping[Period, Row]

    def encode(self) -> str:
        rows = [
            [period.label, {m.value: [f.value, f.status.value] for m, f in row.items()}]
            for period, row in self.rows.items()
        ]
        return json.dumps({"month": self.month.label, "rows": rows}, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> Release:
        data = json.loads(raw)
        rows: dict[Period, Row] = {}
        for label, figures in data["rows"]:
            rows[Period.parse(label)] = {
                Metric(m): Published(None if v is None else float(v), Status(s))
                for m, (v, s) in figures.items()
            }
        return cls(Period.parse_month(data["month"]), rows)


def due_months(
    first: Period | None,
    last_published: Period | None,
    now: datetime,
    delay: timedelta,
    history_months: int,
) -> list[Period]:
    """Months to publish now, in order: after the last published one, closed for `delay`."""
    if last_published is not None:
        month = last_published.next_month()
    elif first is not None:
        utc = now.astimezone(UTC)
        month = max(first, _back(Period.month(utc.year, utc.month), history_months))
    else:
        return []
    out = []
    while month.published_at(delay) <= now:
        out.append(month)
        month = month.next_month()
    return out


def _back(month: Period, months: int) -> Period:
    ordinal = month.ordinal - months
    return Period.month(ordinal // 12, ordinal % 12 + 1)


def publish(
    inputs: Inputs,
    earlier: Iterable[Release],
    months: Sequence[Period],
    min_people: int = MIN_OFFICERS,
) -> list[Release]:
    published: dict[Period, Row] = {p: row for r in earlier for p, row in r.rows.items()}
    out = []
    for month in months:
        release = _publish_month(inputs, published, month, min_people)
        published.update(release.rows)
        out.append(release)
    return out


def _publish_month(
    inputs: Inputs, published: Mapping[Period, Row], month: Period, min_people: int
) -> Release:
    raws: dict[Period, dict[Metric, Raw]] = {}
    for period in month.closed_by():
        raw = measure(inputs, period.months())
        children = [c for c in period.children() if c in published or c in raws]
        if children:
            for metric in (*ADDITIVE, *MIRRORED):
                total = sum(_value(published, raws, child, metric) for child in children)
                raw[metric] = Raw(total, raw[metric].people)
        raws[period] = raw
    year = [p for p in published if p.year == month.year]
    cells: dict[tuple[Period, Metric], Cell] = {}
    for period in year:
        for metric in ADDITIVE:
            figure = published[period].get(metric, _NOT_YET)
            cells[(period, metric)] = Cell(int(figure.value or 0), 0, figure.status, period.coarseness)
    for period, raw in raws.items():
        for metric in ADDITIVE:
            cells[(period, metric)] = Cell(
                int(raw[metric].value or 0), raw[metric].people, None, period.coarseness
            )
    status = suppress(cells, relations([*year, *raws]), min_people)
    rows: dict[Period, Row] = {}
    for period, raw in raws.items():
        row = {m: Published(raw[m].value, status[(period, m)]) for m in ADDITIVE}
        row.update({m: Published(raw[m].value, status[(period, source)]) for m, source in MIRRORED.items()})
        for metric in DISTINCT:
            small = is_small(raw[metric].people, raw[metric].people, min_people)
            row[metric] = Published(raw[metric].value, Status.SMALL_CELL if small else Status.SHOWN)
        rows[period] = row
    return Release(month, rows)


def _value(
    published: Mapping[Period, Row],
    raws: Mapping[Period, Mapping[Metric, Raw]],
    period: Period,
    metric: Metric,
) -> float:
    if period in raws:
        return raws[period][metric].value or 0
    return published[period].get(metric, _NOT_YET).value or 0
