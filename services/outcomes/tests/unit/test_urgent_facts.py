"""Urgent requests in the outcomes read model: waits in seconds and wrap-ups, merged from their two
events in either order, measured per period with each officer counted once for the cell size;
rows published before these figures existed read as not available."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour_outcomes.domain.measure import Inputs, measure
from tenfour_outcomes.domain.metrics import Metric
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import Published, Release
from tenfour_outcomes.domain.report import FigureStatus, build_report
from tenfour_outcomes.domain.suppression import Status
from tenfour_outcomes.domain.urgent_facts import UrgentFact

ASKED = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)


def test_the_two_halves_merge_in_either_order_and_survive_encoding() -> None:
    waits = UrgentFact.connected("o1", ASKED, ASKED + timedelta(seconds=40), ASKED + timedelta(seconds=95))
    wrap = UrgentFact.wrapped_up("o1", ASKED, "referred")
    merged = waits.merged(wrap)
    assert merged == wrap.merged(waits)
    assert (merged.accept_seconds, merged.joined_seconds, merged.wrap_up) == (40, 95, "referred")
    assert UrgentFact.decode(merged.encode()) == merged
    assert UrgentFact.wrapped_up("o1", ASKED, "cured").wrap_up is None  # unknown words count nowhere


def test_medians_and_wrap_up_counts_per_month_with_people_counted_once() -> None:
    facts = [
        UrgentFact.connected(
            f"o{i % 3}", ASKED, ASKED + timedelta(seconds=10 * i), ASKED + timedelta(seconds=60 + i)
        )
        for i in range(1, 6)
    ]
    facts += [
        UrgentFact.wrapped_up("o1", ASKED, "follow_up_booked"),
        UrgentFact.wrapped_up("o2", ASKED, "none"),
    ]
    facts.append(UrgentFact.connected("o9", ASKED + timedelta(days=40), ASKED, ASKED))  # February
    got = measure(Inputs([], {}, {}, urgent=facts), [Period.month(2026, 1)])
    assert (got[Metric.URGENT_ACCEPT].value, got[Metric.URGENT_ACCEPT].people) == (30.0, 3)
    assert (got[Metric.URGENT_JOINED].value, got[Metric.URGENT_JOINED].people) == (63.0, 3)
    assert [
        (got[m].value, got[m].people) for m in (Metric.WRAP_FOLLOW_UP, Metric.WRAP_REFERRED, Metric.WRAP_NONE)
    ] == [
        (1, 1),
        (0, 0),
        (1, 1),
    ]


def test_a_row_published_before_the_urgent_figures_existed_says_not_available() -> None:
    new = {
        Metric.URGENT_ACCEPT,
        Metric.URGENT_JOINED,
        Metric.WRAP_FOLLOW_UP,
        Metric.WRAP_REFERRED,
        Metric.WRAP_NONE,
    }
    figures = {m: Published(0.0, Status.SHOWN) for m in Metric if m not in new}
    old = Release(Period.month(2025, 11), {Period.month(2025, 11): figures})
    (row,) = build_report("agency-1", [old]).rows
    for name in ("median_seconds_to_first_accept", "urgent_referrals"):
        assert row.figures[name].status is FigureStatus.NOT_AVAILABLE
