"""Anonymous feedback through gRPC: one credential per officer and session, used once, stored as
agency-and-month totals only; bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, timedelta

import grpc
import pytest

from tenfour.outcomes.v1 import outcomes_pb2 as pb

from .conftest import Harness, S, appointment, code, utc, violations

pytestmark = pytest.mark.integration
JANUARY_CLOSES = utc(2026, 2, 15)  # 14 days after January ends


async def fulfilled(harness: Harness, officer: str, appointment_id: str, day: int = 5) -> None:
    await harness.session(appointment(appointment_id, [officer], utc(2026, 1, day, 15)))


async def test_feedback_is_stored_once_without_who_which_session_or_when(harness: Harness) -> None:
    await fulfilled(harness, "off-1", "ap-1")
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20, 9, 41)
    request = pb.IssueFeedbackCredentialRequest(appointment_id="ap-1")
    issued = await harness.stub.IssueFeedbackCredential(request, metadata=harness.officer("off-1"))
    assert issued.closes_at.ToDatetime(tzinfo=UTC) == JANUARY_CLOSES
    await harness.feedback("off-1", issued.credential, rating=5, recommend=False, before=9, after=3)

    dump = await harness.dump()
    feedback_keys = sorted(k for k in dump if ":fb-" in k)
    assert feedback_keys == [
        "outcomes:fb-issued:{agency-1}",  # an officer got a credential for a session; not which
        "outcomes:fb-totals:{agency-1}:2026-01",
        "outcomes:fb-used:{agency-1}:2026-01",
    ]
    assert dump["outcomes:fb-totals:{agency-1}:2026-01"] == {
        "responses": "1",
        "rating_sum": "5",
        "recommend_yes": "0",
        "stress_before_sum": "9",
        "stress_after_sum": "3",
    }
    [(digest, score)] = dump["outcomes:fb-used:{agency-1}:2026-01"]  # type: ignore[misc]
    assert (len(digest), score) == (64, 0.0)
    # No raw id, no credential, no session time anywhere in the read model.
    text = repr(dump)
    for secret in ("off-1", "ap-1", "therapist-1", issued.credential, "09:41", "20260120"):
        assert secret not in text
    # The month's keys expire at one instant for everyone (the month's close), not per response.
    ttl = await harness.redis.pttl("outcomes:fb-used:{agency-1}:2026-01")
    expected = (JANUARY_CLOSES + timedelta(days=1) - harness.clock.now).total_seconds() * 1000
    assert abs(ttl - expected) < 5_000

    with pytest.raises(grpc.RpcError) as again:
        await harness.feedback("off-1", issued.credential)
    assert code(again.value) == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as second:
        await harness.credential("off-1", "ap-1")
    assert code(second.value) == grpc.StatusCode.ALREADY_EXISTS
    assert (await harness.dump())["outcomes:fb-totals:{agency-1}:2026-01"] == dump[
        "outcomes:fb-totals:{agency-1}:2026-01"
    ]


async def test_credentials_are_stored_in_an_order_that_says_nothing_about_issue_time(
    harness: Harness,
) -> None:
    for i in range(12):
        await fulfilled(harness, f"off-{i}", f"ap-{i}", day=1 + i)
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20)
    for i in range(12):  # issued in session order, a minute apart
        await harness.credential(f"off-{i}", f"ap-{i}")
        harness.clock.now += timedelta(minutes=1)
    dump = await harness.dump()
    for key in ("outcomes:fb-credentials:{agency-1}:2026-01", "outcomes:fb-issued:{agency-1}"):
        members = dump[key]
        assert isinstance(members, list)
        assert len(members) == 12
        assert {score for _, score in members} == {0.0}
        assert [m for m, _ in members] == sorted(m for m, _ in members)  # by value, not by time


async def test_only_an_officer_of_a_fulfilled_session_gets_a_credential(harness: Harness) -> None:
    await fulfilled(harness, "off-1", "ap-1")
    await harness.session(appointment("ap-2", ["off-1"], utc(2026, 1, 6, 15)), S.APPOINTMENT_STATUS_BOOKED)
    await harness.session(appointment("ap-3", ["off-1"], utc(2026, 1, 7, 15)), S.APPOINTMENT_STATUS_NOSHOW)
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20)
    cases = [
        (harness.officer("off-1"), "ap-2", grpc.StatusCode.FAILED_PRECONDITION),  # not yet held
        (harness.officer("off-1"), "ap-3", grpc.StatusCode.FAILED_PRECONDITION),  # no-show
        (harness.officer("off-2"), "ap-1", grpc.StatusCode.NOT_FOUND),  # someone else's
        (harness.officer("off-1"), "ap-nope", grpc.StatusCode.NOT_FOUND),
        (harness.officer("off-1", "agency-2"), "ap-1", grpc.StatusCode.NOT_FOUND),
        (harness.officer("off-1"), "", grpc.StatusCode.INVALID_ARGUMENT),
        (harness.admin(), "ap-1", grpc.StatusCode.PERMISSION_DENIED),
        ((), "ap-1", grpc.StatusCode.UNAUTHENTICATED),
    ]
    for metadata, appointment_id, expected in cases:
        request = pb.IssueFeedbackCredentialRequest(appointment_id=appointment_id)
        with pytest.raises(grpc.RpcError) as caught:
            await harness.stub.IssueFeedbackCredential(request, metadata=metadata)
        assert code(caught.value) == expected, (appointment_id, expected)
    assert not any(":fb-" in key for key in await harness.dump())


async def test_bad_answers_and_bad_credentials_are_refused_and_store_nothing(harness: Harness) -> None:
    await fulfilled(harness, "off-1", "ap-1")
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20)
    credential = await harness.credential("off-1", "ap-1")
    forged = credential[:-10] + "AAAAAAAAAA"
    other_agency = credential.replace(".agency-1.", ".agency-2.")
    bad = [
        (dict(rating=0), ["rating"], grpc.StatusCode.INVALID_ARGUMENT),
        (dict(rating=6, before=11, after=-1), ["rating", "stress_before", "stress_after"], None),
        (dict(recommend=None), ["would_recommend"], None),
        (dict(before=None), ["stress_before"], None),
        (dict(credential="not-a-credential"), ["credential"], None),
        (dict(credential=forged), [], grpc.StatusCode.NOT_FOUND),
        (dict(credential=other_agency), [], grpc.StatusCode.PERMISSION_DENIED),  # names agency-2
        (dict(agency_id="agency-2"), [], grpc.StatusCode.PERMISSION_DENIED),  # an agency-2 officer
    ]
    for overrides, fields, status in bad:
        arguments: dict[str, object] = {"credential": credential, **overrides}
        with pytest.raises(grpc.RpcError) as caught:
            await harness.feedback("off-1", **arguments)  # type: ignore[arg-type]
        assert code(caught.value) == (status or grpc.StatusCode.INVALID_ARGUMENT), overrides
        assert violations(caught.value) == fields
        assert not any(":fb-totals" in key or ":fb-used" in key for key in await harness.dump())
    await harness.feedback("off-1", credential)  # still usable: nothing was used up
    assert (await harness.dump())["outcomes:fb-totals:{agency-1}:2026-01"]["responses"] == "1"  # type: ignore[index]


async def test_feedback_closes_when_the_month_is_published(harness: Harness) -> None:
    await fulfilled(harness, "off-1", "ap-1")
    await fulfilled(harness, "off-2", "ap-2")
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20)
    credential = await harness.credential("off-1", "ap-1")
    harness.clock.now = JANUARY_CLOSES
    with pytest.raises(grpc.RpcError) as late_submit:
        await harness.feedback("off-1", credential)
    with pytest.raises(grpc.RpcError) as late_issue:
        await harness.credential("off-2", "ap-2")
    assert code(late_submit.value) == code(late_issue.value) == grpc.StatusCode.FAILED_PRECONDITION
    await harness.report()  # publishes January: its feedback working data goes
    dump = await harness.dump()
    assert not any(key.endswith(":2026-01") for key in dump)
    assert "outcomes:stamps:{agency-1}" not in dump  # event times of published months too
