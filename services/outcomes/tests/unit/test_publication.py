"""Publishing months: when, what, frozen, and coarser rows for small agencies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour_outcomes.domain.facts import Outcome, SessionFact, Tier
from tenfour_outcomes.domain.feedback import FeedbackTotals
from tenfour_outcomes.domain.measure import Inputs, first_month, measure
from tenfour_outcomes.domain.metrics import Metric
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import Release, due_months, publish
from tenfour_outcomes.domain.suppression import Status

M = Metric
DELAY = timedelta(days=14)
JAN = Period.month(2026, 1)


def fact(day: int, officer: str, outcome: Outcome = Outcome.FULFILLED, provider: str = "clin") -> SessionFact:
    return SessionFact(JAN.first_day() + day, outcome, (officer,), provider)


def test_months_are_due_once_closed_for_the_delay_and_never_twice() -> None:
    now = datetime(2026, 3, 14, 23, tzinfo=UTC)
    assert due_months(JAN, None, now, DELAY, 36) == [JAN]  # February closes on 15 March
    assert due_months(JAN, None, now + timedelta(hours=1), DELAY, 36) == [JAN, Period.month(2026, 2)]
    assert due_months(JAN, Period.month(2026, 2), now + timedelta(hours=1), DELAY, 36) == []
    assert due_months(None, None, now, DELAY, 36) == []
    # An agency whose data reaches back a decade starts at the history limit.
    assert due_months(Period.month(2016, 1), None, now, DELAY, 12)[0] == Period.month(2025, 3)


def test_the_first_month_is_the_earliest_session_or_enrolment() -> None:
    assert first_month([fact(40, "a")], {"a": JAN.first_day() + 3}) == JAN
    assert first_month([], {}) is None


def test_a_busy_agency_sees_its_months_and_exact_figures() -> None:
    officers = [f"o{i}" for i in range(30)]
    facts = [fact(i % 28, o) for i, o in enumerate(officers)]
    facts += [fact(3, o, Outcome.NO_SHOW) for o in officers[:12]]
    facts += [fact(4, o, Outcome.LATE_CANCEL) for o in officers[:2]]
    inputs = Inputs(facts, {}, {"clin": Tier.CLINICIAN})
    [release] = publish(inputs, [], [JAN])
    row = release.rows[JAN]
    assert row[M.BOOKED].value == 44
    assert (row[M.FULFILLED].value, row[M.FULFILLED].status) == (30, Status.SHOWN)
    assert row[M.LATE_CANCELS].status is Status.SMALL_CELL  # two officers
    # Its complement is the smallest other non-zero part of "booked"; zeros stay shown.
    assert (row[M.NO_SHOWS].value, row[M.NO_SHOWS].status) == (12, Status.COMPLEMENTARY)
    assert row[M.UNRESOLVED].status is row[M.OTHER_CANCELS].status is Status.SHOWN
    assert (row[M.CLINICIAN].value, row[M.OFFICERS_SERVED].value) == (30, 30)


def test_a_small_agency_sees_quarters_where_its_months_are_too_small() -> None:
    # 15 officers, each with one session a quarter, five a month.
    officers = [f"o{i}" for i in range(15)]
    facts = [fact(31 * (i % 3) + 2, o) for i, o in enumerate(officers)]
    releases = publish(Inputs(facts, {}, {}), [], [JAN, Period.month(2026, 2), Period.month(2026, 3)])
    rows = {p: r for rel in releases for p, r in rel.rows.items()}
    assert [rows[Period.month(2026, m)][M.FULFILLED].status for m in (1, 2, 3)] == [Status.SMALL_CELL] * 3
    q1 = rows[Period.quarter(2026, 1)]
    assert (q1[M.FULFILLED].value, q1[M.FULFILLED].status) == (15, Status.SHOWN)


def test_published_months_are_frozen_whatever_arrives_later() -> None:
    officers = [f"o{i}" for i in range(20)]
    before = Inputs([fact(1, o) for o in officers], {}, {})
    [jan] = publish(before, [], [JAN])
    # A late correction for January, then February is published from the changed read model.
    after = Inputs([fact(1, o, Outcome.NO_SHOW) for o in officers], {}, {})
    [feb] = publish(after, [jan], [Period.month(2026, 2)])
    assert feb.month == Period.month(2026, 2)
    assert JAN not in feb.rows
    assert Release.decode(jan.encode()) == jan
    assert jan.rows[JAN][M.FULFILLED].value == 20


def test_medians_of_access_times() -> None:
    officers = [f"o{i}" for i in range(11)]
    facts = [
        SessionFact(JAN.first_day() + 10, Outcome.FULFILLED, (o,), "p", urgent=True, wait_minutes=i)
        for i, o in enumerate(officers)
    ]
    enrolled = {o: JAN.first_day() + 10 - 2 * i for i, o in enumerate(officers)}
    raw = measure(Inputs(facts, enrolled, {}), [JAN])
    assert (raw[M.URGENT_WAIT].value, raw[M.URGENT_WAIT].people) == (5, 11)
    assert (raw[M.DAYS_TO_FIRST_SESSION].value, raw[M.DAYS_TO_FIRST_SESSION].people) == (10, 11)
    fewer = measure(Inputs(facts[:10], enrolled, {}), [JAN])
    [release] = publish(Inputs(facts[:10], enrolled, {}), [], [JAN])
    assert fewer[M.URGENT_WAIT].people == 10
    assert release.rows[JAN][M.URGENT_WAIT].status is Status.SMALL_CELL


def test_feedback_figures_count_respondents_conservatively() -> None:
    month = {JAN: FeedbackTotals(12, 48, 12, 84, 36)}
    one_busy_officer = {JAN: {"o1": 12}}
    many = {JAN: {f"o{i}": 1 for i in range(12)}}
    busy = measure(Inputs([], {}, {}, month, one_busy_officer), [JAN])
    spread = measure(Inputs([], {}, {}, month, many), [JAN])
    assert (busy[M.RESPONSES].people, spread[M.RESPONSES].people) == (1, 12)
    assert spread[M.RECOMMEND_NO].value == 0
