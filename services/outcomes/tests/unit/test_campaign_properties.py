"""Campaign figures: never a count of 1-10 officers, and nothing the independent attacker can
isolate from them together with everything the year's agency report publishes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_outcomes.domain.campaigns import COUNTS, Campaign, measure_campaign
from tenfour_outcomes.domain.facts import Outcome, SessionFact
from tenfour_outcomes.domain.measure import Inputs
from tenfour_outcomes.domain.metrics import ADDITIVE, Metric, relations
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import publish
from tenfour_outcomes.domain.suppression import Status

from .attack import recoverable

YEAR = 2025
MONTHS = [Period.month(YEAR, m) for m in range(1, 13)]
CID = "cmp-1"
COUNTED = [o for o in Outcome if o is not Outcome.EXCLUDED]


def _small(people: int) -> bool:
    return 0 < people < 11


@st.composite
def agencies(draw: st.DrawFn) -> tuple[Campaign, list[SessionFact], dict[str, set[str]]]:
    """Facts of a year with one campaign; also who is behind each remainder (from how the data
    was drawn, not from the service's rule)."""
    first = draw(st.integers(1, 12))
    months = draw(st.integers(1, 13 - first))
    window = MONTHS[first - 1 : first - 1 + months]
    officers = [f"o{i}" for i in range(draw(st.integers(1, 45)))]
    invited = len(officers) + draw(st.integers(0, 15))
    facts: list[SessionFact] = []
    behind: dict[str, set[str]] = {"booked": set(), "completed": set()}

    def day_in(ps: list[Period]) -> int:
        month = draw(st.sampled_from(ps))
        return month.first_day() + draw(st.integers(0, month.last_day() - month.first_day()))

    for officer in draw(st.lists(st.sampled_from(officers), unique=True)):  # campaign check-ins
        tries = draw(st.integers(1, 2))
        for n in range(tries):
            outcome = Outcome.CANCELLED if n < tries - 1 else draw(st.sampled_from(COUNTED))
            facts.append(SessionFact(day_in(window), outcome, (officer,), "p", campaign=CID))
            if n:
                behind["booked"].add(officer)
    for _ in range(draw(st.integers(0, 60))):  # everything else
        group = tuple(draw(st.lists(st.sampled_from(officers), min_size=1, max_size=2, unique=True)))
        outcome = draw(st.sampled_from(list(Outcome)))
        fact = SessionFact(day_in(MONTHS), outcome, group, "p")
        facts.append(fact)
        if fact.month in window and fact.counted:
            behind["booked"].update(group)
            if outcome is Outcome.FULFILLED:
                behind["completed"].update(group)
    campaign = Campaign(CID, "Check-in", window[0], months, invited, False)
    return campaign, facts, behind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agencies())
def test_campaign_figures_hide_small_cells_and_cannot_be_differenced_with_the_report(
    drawn: tuple[Campaign, list[SessionFact], dict[str, set[str]]],
) -> None:
    campaign, facts, behind = drawn
    releases = publish(Inputs(facts, {}, {}, {}, {}), [], MONTHS)
    figures = measure_campaign(campaign, facts, releases).figures
    window = set(campaign.window)
    mine = [f for f in facts if f.campaign == CID and f.counted and f.month in window]
    true = {
        "invited": campaign.invited,
        "booked": len({o for f in mine for o in f.officers}),
        "completed": len({o for f in mine if f.outcome is Outcome.FULFILLED for o in f.officers}),
    }
    for name in COUNTS:
        shown = figures[name].status is Status.SHOWN
        assert not (shown and _small(true[name])), name
        assert figures[name].value == (true[name] if shown else None)

    # The attacker: every shown figure of the year's report and of the campaign, every relation.
    rows = {p: row for r in releases for p, row in r.rows.items()}
    equations = relations(rows)
    window_sum = {
        "booked": {(m, Metric.BOOKED): 1 for m in campaign.window},
        "completed": {(m, Metric.FULFILLED): 1 for m in campaign.window},
    }
    for name in ("booked", "completed"):  # window total = campaign figure + remainder
        equations.append({**window_sum[name], ("campaign", name): -1, ("remainder", name): -1})
    equations.append({("campaign", "invited"): 1, ("campaign", "booked"): -1, ("gap", "not booked"): -1})
    equations.append({("campaign", "booked"): 1, ("campaign", "completed"): -1, ("gap", "not completed"): -1})
    equations.append({("campaign", "invited"): 1, ("campaign", "completed"): -1, ("gap", "no check-in"): -1})
    hidden = [(p, m) for p, row in rows.items() for m in ADDITIVE if row[m].status is not Status.SHOWN]
    hidden += [("campaign", n) for n in COUNTS if figures[n].status is not Status.SHOWN]
    hidden += [("remainder", "booked"), ("remainder", "completed")]
    hidden += [("gap", "not booked"), ("gap", "not completed"), ("gap", "no check-in")]
    people = {
        ("remainder", "booked"): len(behind["booked"]),
        ("remainder", "completed"): len(behind["completed"]),
        ("gap", "not booked"): true["invited"] - true["booked"],
        ("gap", "not completed"): true["booked"] - true["completed"],
        ("gap", "no check-in"): true["invited"] - true["completed"],
        **{("campaign", n): true[n] for n in COUNTS},
    }
    small = {(p, m) for p, row in rows.items() for m in ADDITIVE if row[m].status is Status.SMALL_CELL}
    small |= {key for key, n in people.items() if _small(n)}
    assert not recoverable(hidden, equations) & small


def test_a_large_campaign_shows_its_counts_and_rates() -> None:
    window = MONTHS[0]
    facts = [
        SessionFact(
            window.first_day() + i % 28,
            Outcome.FULFILLED if i < 20 else Outcome.NO_SHOW,
            (f"o{i}",),
            "p",
            campaign=CID,
        )
        for i in range(32)
    ] + [SessionFact(window.first_day(), Outcome.FULFILLED, (f"x{i}",), "p") for i in range(12)]
    campaign = Campaign(CID, "Check-in", window, 1, 60, False)
    figures = measure_campaign(campaign, facts, publish(Inputs(facts, {}, {}, {}, {}), [], MONTHS)).figures
    assert {k: (f.value, f.status) for k, f in figures.items()} == {
        "invited": (60, Status.SHOWN),
        "booked": (32, Status.SHOWN),
        "completed": (20, Status.SHOWN),
        "booked_rate": (32 / 60, Status.SHOWN),
        "completed_rate": (20 / 60, Status.SHOWN),
    }
    # The same campaign with only 5 other officers' sessions in its month: those 5 could be
    # had by subtracting, so booked and completed are hidden (and the rates with them).
    few = facts[:32] + facts[32:37]
    hidden = measure_campaign(campaign, few, publish(Inputs(few, {}, {}, {}, {}), [], MONTHS)).figures
    assert [hidden[k].status for k in ("invited", "booked", "completed", "completed_rate")] == [
        Status.SHOWN, Status.COMPLEMENTARY, Status.COMPLEMENTARY, Status.COMPLEMENTARY,
    ]  # fmt: skip


def test_who_did_not_book_or_attend_is_never_a_small_difference() -> None:
    window = MONTHS[0]
    checkins = [
        SessionFact(
            window.first_day(),
            Outcome.FULFILLED if i < 20 else Outcome.NO_SHOW,
            (f"o{i}",),
            "p",
            campaign=CID,
        )
        for i in range(32)
    ]
    others = [SessionFact(window.first_day(), Outcome.FULFILLED, (f"x{i}",), "p") for i in range(12)]
    facts = checkins + others
    releases = publish(Inputs(facts, {}, {}, {}, {}), [], MONTHS)
    # 36 invited, 32 booked: the 4 who did not book would be a subtraction away.
    figures = measure_campaign(Campaign(CID, "Check-in", window, 1, 36, False), facts, releases).figures
    assert [figures[k].status for k in COUNTS] == [Status.SHOWN, Status.COMPLEMENTARY, Status.SHOWN]
    assert figures["completed"].value == 20  # 16 without a check-in: not a small group
    # 29 completed: the 7 who did not would be a subtraction away.
    many = [SessionFact(f.day, Outcome.FULFILLED, f.officers, "p", campaign=CID) for f in checkins[:29]]
    many += checkins[29:] + others
    releases = publish(Inputs(many, {}, {}, {}, {}), [], MONTHS)
    figures = measure_campaign(Campaign(CID, "Check-in", window, 1, 36, False), many, releases).figures
    assert [figures[k].status for k in COUNTS] == [Status.SHOWN, Status.COMPLEMENTARY, Status.COMPLEMENTARY]
