"""Field descriptions travel with a stable code (google.rpc.BadRequest reason) and their values."""

from __future__ import annotations

import re

import grpc
import pytest

from tenfour_shared.errors import FieldViolation, InvalidInput
from tenfour_shared.field_texts import TEMPLATES, classify
from tenfour_shared.rpc_status import field_violations, to_status
from tenfour_shared.sensible_dates import date_range_problem


class _Call(grpc.RpcError):
    def __init__(self, status: grpc.Status) -> None:
        self._status = status

    def code(self) -> grpc.StatusCode:
        return self._status.code

    def details(self) -> str:
        return self._status.details

    def trailing_metadata(self) -> object:
        return self._status.trailing_metadata


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("must have at least 12 characters", "min_length", {"min": "12"}),
        ("is too repetitive", "too_repetitive", {}),
        ("is too common", "too_common", {}),
        ("is required", "required", {}),
        ("Field required", "required", {}),
        ("must be after the start", "after_start", {}),
        ("hour must be 0-23 and minute 0-59", "hour_minute", {}),
        ("must be an ISO 3166-2 code such as US-CA", "jurisdiction_code", {}),
        ("must be at most 4,096 characters", "max_length", {"max": "4,096"}),
        ("must be between 2 and 8 seats", "seats_between", {"min": "2", "max": "8"}),
        ("must be at most 90 days ahead", "days_ahead", {"days": "90"}),
    ],
)
def test_known_texts_have_a_code_and_values(text: str, code: str, params: dict[str, str]) -> None:
    assert classify(text) == (code, params)


def test_the_sensible_date_range_has_a_code() -> None:
    from datetime import date

    problem = date_range_problem(date(1900, 1, 1), today=date(2026, 12, 5))
    assert problem is not None
    assert classify(problem) == ("between", {"min": "2006-12-05", "max": "2036-12-05"})


def test_unknown_texts_have_none() -> None:
    assert classify("the moon is not a provider") is None


def test_codes_are_snake_case_and_texts_unique() -> None:
    texts = [text for group in TEMPLATES.values() for text in group]
    assert len(texts) == len(set(texts))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in TEMPLATES)


def test_the_reason_travels_and_the_values_are_read_back() -> None:
    error = InvalidInput(
        [FieldViolation("password", "must have at least 12 characters"), FieldViolation("x", "odd words")]
    )
    read = field_violations(_Call(to_status(error)))
    assert [(v.field, v.code, dict(v.params)) for v in read] == [
        ("password", "min_length", {"min": "12"}),
        ("x", "", {}),
    ]


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("at most 10 ranges", "at_most_items", {"max": "10"}),
        ("must list at most 200 officers", "at_most_items", {"max": "200"}),
        ("spans more than 92 days", "spans_days", {"days": "92"}),
        ("is 120 days; at most 92", "spans_days", {"span": "120", "days": "92"}),
        ("unknown session type 'x'", "not_a_choice", {"value": "'x'"}),
        ("is not an appointment id", "not_an_id", {}),
        ("'xx_1' is not a BCP 47 language tag such as en or fr-CA", "language_tag", {"tag": "'xx_1'"}),
        ("2026-2-30 is not a valid date", "not_a_date", {"year": "2026", "month": "2", "day": "30"}),
        ("the series would reach 400 days ahead; at most 365", "days_ahead", {"reach": "400", "days": "365"}),
        ("limit must be between 1 and 200", "between", {"min": "1", "max": "200"}),
        ("session type must not be empty", "required", {}),
    ],
)
def test_the_rest_of_the_services_texts_have_a_code_too(text: str, code: str, params: dict[str, str]) -> None:
    assert classify(text) == (code, params)


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("clinician_ids[1] is not a clinician of your agency", "clinician_not_in_agency", {"i": "1"}),
        (
            "clinician_ids[0]: this provider does not offer individual sessions",
            "clinician_refused",
            {
                "i": "0",
                "why": "this provider does not offer individual sessions",
                "why_code": "session_type_not_offered",
            },
        ),
        (
            "clinician_ids[2]: this clinician holds no licence valid in your jurisdiction on that date",
            "clinician_refused",
            {
                "i": "2",
                "why": "this clinician holds no licence valid in your jurisdiction on that date",
                "why_code": "unlicensed",
            },
        ),
        ("clinician_ids[0]: something new", "clinician_refused", {"i": "0", "why": "something new"}),
        (
            "time 2 (Thu 05 Mar 02:00 CST): the officer's shifts are not known yet; try later",
            "proposed_time_shifts_unknown",
            {"n": "2", "when": "Thu 05 Mar 02:00 CST"},
        ),
        (
            "time 1 (Fri 06 Mar 09:15 UTC): does not fit the officer's shifts or rest",
            "proposed_time_not_fitting",
            {"n": "1", "when": "Fri 06 Mar 09:15 UTC"},
        ),
        (
            "time 3 (Sat 07 Mar 18:00 CET): you do not offer individual sessions then",
            "proposed_time_not_offered",
            {"n": "3", "when": "Sat 07 Mar 18:00 CET"},
        ),
        (
            "time 1 (Thu 05 Mar 02:00 CST): starts in 40 min; needs 2 h notice (too_soon)",
            "proposed_time_refused",
            {
                "n": "1",
                "when": "Thu 05 Mar 02:00 CST",
                "why": "starts in 40 min; needs 2 h notice",
                "why_code": "too_soon",
            },
        ),
    ],
)
def test_referral_and_proposed_time_refusals_have_a_code_and_a_reason_code(
    text: str, code: str, params: dict[str, str]
) -> None:
    """The last refusals that had no code: a referral's clinicians and a clinician's proposed times."""
    from tenfour_shared.message_texts import WHY_CODES
    from tenfour_shared.message_texts import classify as classify_message

    assert classify_message(text) == (code, params)
    assert params.get("why_code", "provider_busy") in WHY_CODES
