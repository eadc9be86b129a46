"""Raw figures of a period from the read model: each with the number of officers behind it."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tenfour_outcomes.domain.facts import DayKind, Outcome, SessionFact, Tier
from tenfour_outcomes.domain.feedback import FeedbackTotals, min_respondents
from tenfour_outcomes.domain.metrics import Metric
from tenfour_outcomes.domain.periods import Period, month_of_day
from tenfour_outcomes.domain.referral_facts import ReferralStep
from tenfour_outcomes.domain.urgent_facts import UrgentFact

__all__ = ["Inputs", "Raw", "first_month", "measure"]

M = Metric
_BY_OUTCOME = {
    Outcome.FULFILLED: M.FULFILLED,
    Outcome.NO_SHOW: M.NO_SHOWS,
    Outcome.LATE_CANCEL: M.LATE_CANCELS,
    Outcome.CANCELLED: M.OTHER_CANCELS,
    Outcome.UNRESOLVED: M.UNRESOLVED,
}
_BY_DAY_KIND = {DayKind.DAY_OFF: M.DAY_OFF, DayKind.WORK_DAY: M.WORK_DAY, None: M.DAY_UNKNOWN}
_BY_TIER = {Tier.PEER: M.PEER, Tier.CLINICIAN: M.CLINICIAN, None: M.TIER_UNKNOWN}


@dataclass(frozen=True, slots=True)
class Raw:
    value: float | None  # None: nothing to compute from (a median of nobody)
    people: int


@dataclass(frozen=True)
class Inputs:
    """Everything the read model holds about one agency, indexed for measuring periods."""

    facts: Sequence[SessionFact]
    enrolments: Mapping[str, int]  # officer pseudonym -> enrolment day
    tiers: Mapping[str, Tier]  # provider pseudonym -> tier
    feedback: Mapping[Period, FeedbackTotals] = field(default_factory=dict)  # by month
    issued: Mapping[Period, Mapping[str, int]] = field(default_factory=dict)  # month -> officer -> n
    urgent: Sequence[UrgentFact] = ()  # one per urgent request that reached someone
    referrals: Sequence[ReferralStep] = ()  # referrals made and agreed to, each on its day
    by_month: dict[Period, list[SessionFact]] = field(init=False, repr=False)
    urgent_by_month: dict[Period, list[UrgentFact]] = field(init=False, repr=False)
    first_session: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_month: dict[Period, list[SessionFact]] = defaultdict(list)
        first: dict[str, int] = {}
        for fact in self.facts:
            by_month[fact.month].append(fact)
            if fact.outcome is Outcome.FULFILLED:
                for officer in fact.officers:
                    if fact.day < first.get(officer, fact.day + 1):
                        first[officer] = fact.day
        object.__setattr__(self, "by_month", dict(by_month))
        urgent: dict[Period, list[UrgentFact]] = defaultdict(list)
        for item in self.urgent:
            urgent[item.month].append(item)
        object.__setattr__(self, "urgent_by_month", dict(urgent))
        object.__setattr__(self, "first_session", first)


def first_month(facts: Iterable[SessionFact], enrolments: Mapping[str, int]) -> Period | None:
    """The earliest month with any data, or None for an agency with none."""
    days = [f.day for f in facts]
    days.extend(enrolments.values())
    return month_of_day(min(days)) if days else None


def measure(inputs: Inputs, months: Iterable[Period]) -> dict[Metric, Raw]:
    months = tuple(months)
    counts: Counter[Metric] = Counter()
    people: dict[Metric, set[str]] = defaultdict(set)
    waits: list[int] = []
    for month in months:
        for fact in inputs.by_month.get(month, ()):
            if fact.counted:
                _count(fact, inputs.tiers, counts, people, waits)
    out = {m: Raw(counts[m], len(people[m])) for m in (*_BY_OUTCOME.values(), *_BY_DAY_KIND.values())}
    out.update({m: Raw(counts[m], len(people[m])) for m in (M.BOOKED, *_BY_TIER.values())})
    served = len(people[M.OFFICERS_SERVED])
    out[M.OFFICERS_SERVED] = Raw(served, served)
    out[M.URGENT_WAIT] = Raw(_median(waits), len(people[M.URGENT_WAIT]))
    out[M.DAYS_TO_FIRST_SESSION] = _days_to_first_session(inputs, months)
    out.update(_feedback(inputs, months))
    out.update(_urgent(inputs, months))
    out.update(_referrals(inputs, months))
    return out


_BY_STEP = {"made": M.REFERRALS_MADE, "accepted": M.REFERRALS_ACCEPTED}


def _referrals(inputs: Inputs, months: Sequence[Period]) -> dict[Metric, Raw]:
    """Referrals made and agreed to in these months, and held sessions booked from one."""
    counts: Counter[Metric] = Counter()
    people: dict[Metric, set[str]] = defaultdict(set)
    wanted = set(months)
    for step in inputs.referrals:
        if step.month in wanted:
            counts[_BY_STEP[step.step]] += 1
            people[_BY_STEP[step.step]].add(step.officer)
    for month in months:
        for fact in inputs.by_month.get(month, ()):
            if fact.from_referral and fact.outcome is Outcome.FULFILLED:
                for officer in fact.officers:
                    counts[M.REFERRALS_COMPLETED] += 1
                    people[M.REFERRALS_COMPLETED].add(officer)
    metrics = (*_BY_STEP.values(), M.REFERRALS_COMPLETED)
    return {m: Raw(counts[m], len(people[m])) for m in metrics}


_BY_WRAP_UP = {"follow_up_booked": M.WRAP_FOLLOW_UP, "referred": M.WRAP_REFERRED, "none": M.WRAP_NONE}


def _urgent(inputs: Inputs, months: Sequence[Period]) -> dict[Metric, Raw]:
    """Median waits of urgent requests (each officer counted once for the cell size) and the
    providers' wrap-ups after them."""
    waits: dict[Metric, list[int]] = {M.URGENT_ACCEPT: [], M.URGENT_JOINED: []}
    counts: Counter[Metric] = Counter()
    people: dict[Metric, set[str]] = defaultdict(set)
    for month in months:
        for item in inputs.urgent_by_month.get(month, ()):
            for metric, wait in (
                (M.URGENT_ACCEPT, item.accept_seconds),
                (M.URGENT_JOINED, item.joined_seconds),
            ):
                if wait is not None:
                    waits[metric].append(wait)
                    people[metric].add(item.officer)
            if item.wrap_up in _BY_WRAP_UP:
                metric = _BY_WRAP_UP[item.wrap_up]
                counts[metric] += 1
                people[metric].add(item.officer)
    out = {m: Raw(_median(values), len(people[m])) for m, values in waits.items()}
    out.update({m: Raw(counts[m], len(people[m])) for m in _BY_WRAP_UP.values()})
    return out


def _count(
    fact: SessionFact,
    tiers: Mapping[str, Tier],
    counts: Counter[Metric],
    people: dict[Metric, set[str]],
    waits: list[int],
) -> None:
    metrics = [M.BOOKED, _BY_OUTCOME[fact.outcome]]
    for position, officer in enumerate(fact.officers):
        officer_metrics = list(metrics)
        if fact.outcome is Outcome.FULFILLED:
            officer_metrics.append(_BY_TIER[tiers.get(fact.provider)])
            officer_metrics.append(_BY_DAY_KIND[fact.day_kind(position)])
            people[M.OFFICERS_SERVED].add(officer)
        for metric in officer_metrics:
            counts[metric] += 1
            people[metric].add(officer)
        if fact.urgent and fact.wait_minutes is not None:
            waits.append(fact.wait_minutes)
            people[M.URGENT_WAIT].add(officer)


def _days_to_first_session(inputs: Inputs, months: Sequence[Period]) -> Raw:
    if not months:
        return Raw(None, 0)
    first_day, last_day = months[0].first_day(), months[-1].last_day()
    days = [
        first - inputs.enrolments[officer]
        for officer, first in inputs.first_session.items()
        if first_day <= first <= last_day
        and officer in inputs.enrolments
        and first >= inputs.enrolments[officer]
    ]
    return Raw(_median(days), len(days))


def _feedback(inputs: Inputs, months: Sequence[Period]) -> dict[Metric, Raw]:
    totals = FeedbackTotals()
    issued: Counter[str] = Counter()
    for month in months:
        totals = totals + inputs.feedback.get(month, FeedbackTotals())
        issued.update(inputs.issued.get(month, {}))
    counts = list(issued.values())

    def raw(value: int, answers: int) -> Raw:
        return Raw(value, min_respondents(answers, counts))

    return {
        M.RESPONSES: raw(totals.responses, totals.responses),
        M.RECOMMEND_YES: raw(totals.recommend_yes, totals.recommend_yes),
        M.RECOMMEND_NO: raw(totals.recommend_no, totals.recommend_no),
        M.RATING_SUM: raw(totals.rating_sum, totals.responses),
        M.STRESS_BEFORE_SUM: raw(totals.stress_before_sum, totals.responses),
        M.STRESS_AFTER_SUM: raw(totals.stress_after_sum, totals.responses),
    }


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
