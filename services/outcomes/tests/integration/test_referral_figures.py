"""Warm handoffs in the agency's report: referrals made, agreed to and completed per period, from
scheduling's events, under the same small-cell rule as every other figure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tenfour.events.v1.scheduling_events_pb2 import ReferralAnswered, ReferralProposed

from .conftest import Harness, S, appointment, table, utc

pytestmark = pytest.mark.integration


async def referral(harness: Harness, n: int, officer: str, made: datetime, answer: bool | None) -> None:
    """Scheduling's events about one referral: proposed, then perhaps answered a day later."""
    proposed = ReferralProposed(officer_id=officer, agency_id="agency-1", referral_id=f"ref-{n}")
    proposed.proposed_at.FromDatetime(made)
    await harness.publish(proposed, f"ref-{n}")
    if answer is not None:
        answered = ReferralAnswered(
            officer_id=officer, agency_id="agency-1", referral_id=f"ref-{n}", consented=answer
        )
        answered.answered_at.FromDatetime(made + timedelta(days=1))
        await harness.publish(answered, f"ref-{n}")


async def test_referrals_made_agreed_and_completed_are_counted_by_month_and_small_ones_hidden(
    harness: Harness,
) -> None:
    officers = [f"officer-{i:02d}" for i in range(16)]
    for i, officer in enumerate(officers):
        await harness.enrol(officer, at=utc(2025, 12, 1, 8))
        # January: 16 referrals; 12 agreed to (2 declined, 2 unanswered), 11 booked sessions held, one missed.
        await referral(harness, i, officer, utc(2026, 1, 3 + i, 10), answer=None if i >= 14 else i < 12)
        if i < 12:
            booked = appointment(f"ap-{i}", [officer], utc(2026, 1, 20, 8 + i % 10))
            booked.from_referral = True
            outcome = S.APPOINTMENT_STATUS_NOSHOW if i == 11 else S.APPOINTMENT_STATUS_FULFILLED
            await harness.session(booked, outcome)
        # Ordinary sessions are not referral sessions.
        await harness.session(appointment(f"ap-plain-{i}", [officer], utc(2026, 1, 22, 9)))
    # A redelivered proposal (a new event about the same referral) counts once.
    await referral(harness, 0, officers[0], utc(2026, 1, 3, 10), answer=True)
    # February: 3 referrals, all agreed to: three officers, a small cell.
    for i in range(3):
        await referral(harness, 100 + i, officers[i], utc(2026, 2, 10, 10), answer=True)
    await harness.settle()
    harness.clock.now = utc(2026, 3, 20)

    rows = table(await harness.report())

    january = {k: rows["2026-01"][k] for k in ("referrals_made", "referrals_accepted", "referrals_completed")}
    assert january == {"referrals_made": 16, "referrals_accepted": 12, "referrals_completed": 11}
    assert rows["2026-01"]["sessions_fulfilled"] == 16 + 11
    february = {
        k: rows["2026-02"][k] for k in ("referrals_made", "referrals_accepted", "referrals_completed")
    }
    assert february == {"referrals_made": "small", "referrals_accepted": "small", "referrals_completed": 0}
    assert rows["2025-12"]["referrals_made"] == 0
