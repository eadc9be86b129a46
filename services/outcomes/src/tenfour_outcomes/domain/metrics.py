"""The figures of a period row, and the linear relations between them that anyone can see.

Additive figures (counts and sums) are related: within a row (booked = fulfilled + no-shows +
...) and between rows (a quarter is the sum of its months, a year of its quarters). Those are
the relations suppression must respect. Distinct counts and medians are not additive: they
only obey the cell-size rule. Feedback sums share the visibility of the response count (the
same relations hold for them, so the same pattern protects them).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from tenfour_outcomes.domain.periods import Period

__all__ = ["ADDITIVE", "DISTINCT", "MIRRORED", "Metric", "relations"]


class Metric(StrEnum):
    BOOKED = "sessions_booked"
    FULFILLED = "sessions_fulfilled"
    NO_SHOWS = "no_shows"
    LATE_CANCELS = "late_cancellations"
    OTHER_CANCELS = "other_cancellations"
    UNRESOLVED = "unresolved_sessions"
    DAY_OFF = "sessions_on_days_off"
    WORK_DAY = "sessions_on_work_days"
    DAY_UNKNOWN = "day_kind_not_recorded"
    PEER = "peer_sessions"
    CLINICIAN = "clinician_sessions"
    TIER_UNKNOWN = "tier_not_recorded"
    RESPONSES = "feedback_responses"
    RECOMMEND_YES = "recommend_yes"
    RECOMMEND_NO = "recommend_no"
    RATING_SUM = "rating_sum"
    STRESS_BEFORE_SUM = "stress_before_sum"
    STRESS_AFTER_SUM = "stress_after_sum"
    OFFICERS_SERVED = "officers_served"
    DAYS_TO_FIRST_SESSION = "median_days_enrolment_to_first_session"
    URGENT_WAIT = "median_urgent_wait_minutes"
    URGENT_ACCEPT = "median_seconds_to_first_accept"
    URGENT_JOINED = "median_seconds_to_human_joined"
    WRAP_FOLLOW_UP = "urgent_follow_ups_booked"
    WRAP_REFERRED = "urgent_referrals"
    WRAP_NONE = "urgent_nothing_further"
    REFERRALS_MADE = "referrals_made"
    REFERRALS_ACCEPTED = "referrals_accepted"
    REFERRALS_COMPLETED = "referrals_completed"


M = Metric
ADDITIVE: tuple[Metric, ...] = (
    M.BOOKED, M.FULFILLED, M.NO_SHOWS, M.LATE_CANCELS, M.OTHER_CANCELS, M.UNRESOLVED,
    M.DAY_OFF, M.WORK_DAY, M.DAY_UNKNOWN, M.PEER, M.CLINICIAN, M.TIER_UNKNOWN,
    M.RESPONSES, M.RECOMMEND_YES, M.RECOMMEND_NO, M.WRAP_FOLLOW_UP, M.WRAP_REFERRED, M.WRAP_NONE,
    M.REFERRALS_MADE, M.REFERRALS_ACCEPTED, M.REFERRALS_COMPLETED,
)  # fmt: skip
MIRRORED: dict[Metric, Metric] = {
    M.RATING_SUM: M.RESPONSES,
    M.STRESS_BEFORE_SUM: M.RESPONSES,
    M.STRESS_AFTER_SUM: M.RESPONSES,
}
DISTINCT: tuple[Metric, ...] = (
    M.OFFICERS_SERVED, M.DAYS_TO_FIRST_SESSION, M.URGENT_WAIT, M.URGENT_ACCEPT, M.URGENT_JOINED,
)  # fmt: skip

# total = sum of parts, within every row
ROW_TOTALS: tuple[tuple[Metric, tuple[Metric, ...]], ...] = (
    (M.BOOKED, (M.FULFILLED, M.NO_SHOWS, M.LATE_CANCELS, M.OTHER_CANCELS, M.UNRESOLVED)),
    (M.FULFILLED, (M.DAY_OFF, M.WORK_DAY, M.DAY_UNKNOWN)),
    (M.FULFILLED, (M.PEER, M.CLINICIAN, M.TIER_UNKNOWN)),
    (M.RESPONSES, (M.RECOMMEND_YES, M.RECOMMEND_NO)),
)

Key = tuple[Period, Metric]


def relations(rows: Iterable[Period]) -> list[dict[Key, int]]:
    """Every published relation among the additive figures of these rows (each sums to zero)."""
    present = set(rows)
    out: list[dict[Key, int]] = []
    for period in sorted(present):
        for total, parts in ROW_TOTALS:
            equation = {(period, part): 1 for part in parts}
            equation[(period, total)] = -1
            out.append(equation)
        children = [c for c in period.children() if c in present]
        if children:
            for metric in ADDITIVE:
                equation = {(child, metric): 1 for child in children}
                equation[(period, metric)] = -1
                out.append(equation)
    return out
