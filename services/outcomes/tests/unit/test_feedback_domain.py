"""Feedback answers, credentials and the bound on how few officers gave a set of answers."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenfour_outcomes.domain.feedback import Credential, FeedbackTotals, answers, min_respondents
from tenfour_outcomes.domain.periods import Period
from tenfour_shared.errors import InvalidInput


def test_valid_answers() -> None:
    given_answers = answers(5, False, 0, 10)
    assert FeedbackTotals.increments(given_answers) == {
        "responses": 1,
        "rating_sum": 5,
        "recommend_yes": 0,
        "stress_before_sum": 0,
        "stress_after_sum": 10,
    }


@pytest.mark.parametrize(
    ("rating", "recommend", "before", "after", "fields"),
    [
        (0, True, 5, 5, ["rating"]),
        (6, True, 5, 5, ["rating"]),
        (3, None, 5, 5, ["would_recommend"]),
        (3, True, -1, 11, ["stress_before", "stress_after"]),
        (3, True, None, None, ["stress_before", "stress_after"]),
        (9, None, 99, 2, ["rating", "would_recommend", "stress_before"]),
    ],
)
def test_out_of_range_answers_name_every_field(
    rating: int, recommend: bool | None, before: int | None, after: int | None, fields: list[str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        answers(rating, recommend, before, after)
    assert [v.field for v in caught.value.violations] == fields


def test_a_credential_names_only_its_agency_and_month() -> None:
    credential = Credential(Period.month(2026, 1), "agency-1", "A" * 43)
    assert credential.text == "tf1.2026-01.agency-1." + "A" * 43
    assert Credential.parse(credential.text) == credential
    assert len(credential.digest) == 64
    other = Credential(Period.month(2026, 1), "agency-1", "B" * 43)
    assert other.digest != credential.digest


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tf1.2026-01.agency-1." + "A" * 42,
        "tf1.2026-13.agency-1." + "A" * 43,
        "tf2.2026-01.agency-1." + "A" * 43,
        "tf1.2026-01.{agency}." + "A" * 43,
        "tf1.2026-01.agency-1." + "A" * 43 + "\n",
    ],
)
def test_malformed_credentials_are_invalid_arguments(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Credential.parse(text)
    assert caught.value.violations[0].field == "credential"


def test_the_respondent_bound_assumes_the_most_prolific_officers_answered() -> None:
    assert min_respondents(0, [3, 1]) == 0
    assert min_respondents(3, [3, 1, 1]) == 1
    assert min_respondents(4, [3, 1, 1]) == 2
    assert min_respondents(12, [1] * 12) == 12
    assert min_respondents(5, [1, 1]) == 2  # more answers than credentials: never from our writes


@given(st.lists(st.integers(1, 3), min_size=1, max_size=5), st.data())
def test_the_bound_never_exceeds_the_true_number_of_respondents(
    issued: list[int], data: st.DataObject
) -> None:
    # Any way of answering: each officer answers between 0 and all of their credentials.
    answered = [data.draw(st.integers(0, n)) for n in issued]
    truth = sum(1 for a in answered if a)
    assert min_respondents(sum(answered), issued) <= truth
    # ... and it is tight: some way of answering reaches it.
    best = min(
        sum(1 for a in combo if a)
        for combo in itertools.product(*(range(n + 1) for n in issued))
        if sum(combo) == sum(answered)
    )
    assert min_respondents(sum(answered), issued) == best
