"""Property-based: a year published month by month never lets a small figure be derived, from
the union of everything published for it (months, quarters, the year), whatever the data."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_outcomes.domain.facts import DayKind, Outcome, SessionFact, Tier
from tenfour_outcomes.domain.feedback import FeedbackTotals
from tenfour_outcomes.domain.measure import Inputs, measure
from tenfour_outcomes.domain.metrics import ADDITIVE, DISTINCT, MIRRORED, Metric, relations
from tenfour_outcomes.domain.periods import Period, PeriodKind
from tenfour_outcomes.domain.publication import Published, Release, publish
from tenfour_outcomes.domain.suppression import MIN_OFFICERS, Status

from .attack import recoverable

YEAR = 2025
MONTHS = [Period.month(YEAR, m) for m in range(1, 13)]
FIRST_DAY = MONTHS[0].first_day()


@st.composite
def agencies(draw: st.DrawFn) -> Inputs:
    officers = [f"o{i}" for i in range(draw(st.integers(1, 40)))]
    providers = ["peer", "clinician", "unknown"]
    facts = []
    for _ in range(draw(st.integers(0, 120))):
        group = draw(st.lists(st.sampled_from(officers), min_size=1, max_size=3, unique=True))
        facts.append(
            SessionFact(
                day=FIRST_DAY + draw(st.integers(0, 364)),
                outcome=draw(st.sampled_from(list(Outcome))),
                officers=tuple(group),
                provider=draw(st.sampled_from(providers)),
                urgent=draw(st.booleans()),
                wait_minutes=draw(st.none() | st.integers(0, 300)),
                day_kinds=tuple(
                    draw(st.sampled_from([None, DayKind.DAY_OFF, DayKind.WORK_DAY])) for _ in group
                ),
            )
        )
    feedback, issued = {}, {}
    for month in draw(st.lists(st.sampled_from(MONTHS), max_size=6, unique=True)):
        credentials = draw(st.dictionaries(st.sampled_from(officers), st.integers(1, 3), min_size=1))
        responses = draw(st.integers(0, sum(credentials.values())))
        yes = draw(st.integers(0, responses))
        feedback[month] = FeedbackTotals(responses, 4 * responses, yes, 6 * responses, 3 * responses)
        issued[month] = credentials
    enrolments = {o: FIRST_DAY - draw(st.integers(0, 90)) for o in officers}
    tiers = {"peer": Tier.PEER, "clinician": Tier.CLINICIAN}
    return Inputs(facts, enrolments, tiers, feedback, issued)


def _published(releases: list[Release]) -> dict[Period, Mapping[Metric, Published]]:
    return {p: row for r in releases for p, row in r.rows.items()}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(agencies(), st.integers(1, 11))
def test_a_year_published_month_by_month_keeps_every_small_figure_hidden_and_underivable(
    inputs: Inputs, split: int
) -> None:
    # Published in two sittings (as time passes), frozen in between.
    releases = publish(inputs, [], MONTHS[:split])
    releases += publish(inputs, releases, MONTHS[split:])
    assert releases == publish(inputs, [], MONTHS)  # the same however the sittings fall
    rows = _published(releases)
    assert {p.kind for p in rows} == {PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR}

    for period, row in rows.items():
        raw = measure(inputs, period.months())
        for metric in (*ADDITIVE, *MIRRORED, *DISTINCT):
            if 0 < raw[metric].people < MIN_OFFICERS:
                assert row[metric].status is not Status.SHOWN, (period.label, metric)
        for child in period.children():  # totals are sums of the published parts, hidden or not
            for metric in (*ADDITIVE, *MIRRORED):
                assert row[metric].value == sum(rows[c][metric].value or 0 for c in period.children()), child

    # The attacker sees every shown additive figure of the year and every relation between them.
    equations = relations(rows)
    hidden = [(p, m) for p, row in rows.items() for m in ADDITIVE if row[m].status is not Status.SHOWN]
    small = {(p, m) for p, row in rows.items() for m in ADDITIVE if row[m].status is Status.SMALL_CELL}
    assert not recoverable(hidden, equations) & small
    # Feedback sums follow the response count's pattern under the same (vertical) relations.
    for metric, source in MIRRORED.items():
        assert all(row[metric].status is row[source].status for row in rows.values())
