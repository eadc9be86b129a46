"""The one decoding path every RPC goes through: what it lets a handler see, and what it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenfour.availability.v1 import availability_pb2
from tenfour.identity.v1 import identity_pb2
from tenfour.scheduling.v1 import scheduling_pb2
from tenfour.signaling.v1 import signaling_pb2
from tenfour_shared.errors import FieldViolation, InvalidInput
from tenfour_shared.proto_time import to_datetime, to_timedelta
from tenfour_shared.request_guard import Rejected, decode


def rejected(message_class: type, data: bytes) -> list[FieldViolation]:
    result = decode(message_class, data)
    assert isinstance(result, Rejected), result
    return list(result.violations)


def test_a_well_formed_request_reaches_the_handler_unchanged() -> None:
    sent = identity_pb2.LoginRequest(username="ana", password="pässwörd")

    assert decode(identity_pb2.LoginRequest, sent.SerializeToString()) == sent


def test_invalid_utf8_in_a_string_names_the_field() -> None:
    # The example: Login with the raw body 0a 02 c3 28, no token needed.
    (violation,) = rejected(identity_pb2.LoginRequest, bytes.fromhex("0a02c328"))

    assert violation == FieldViolation("username", "is not valid UTF-8 text")


def test_invalid_utf8_in_a_nested_string_names_the_path() -> None:
    inner = b"\x0a\x02\xc3\x28"  # SubscribeRequest.session_id = bad UTF-8
    (violation,) = rejected(signaling_pb2.ClientSignal, b"\x0a" + bytes([len(inner)]) + inner)

    assert violation.field == "subscribe.session_id"


@pytest.mark.parametrize("body", [b"\xff\xff\xff", b"\x0a\x10ab", b"\x0b", b"\x08" + b"\xff" * 11])
def test_corrupt_or_truncated_bodies_are_refused(body: bytes) -> None:
    (violation,) = rejected(identity_pb2.LoginRequest, body)

    assert "could not be decoded" in violation.description


def test_out_of_range_durations_and_timestamps_are_refused_with_their_paths() -> None:
    policy = scheduling_pb2.SetFatiguePolicyRequest()
    policy.policy.min_rest_gap.seconds = 2**62
    policy.policy.late_cancel_window.seconds = 5
    policy.policy.late_cancel_window.nanos = -1
    code = identity_pb2.CreateEnrolmentCodeRequest(agency_id="a")
    code.expires_at.nanos = -1

    assert [
        v.field for v in rejected(scheduling_pb2.SetFatiguePolicyRequest, policy.SerializeToString())
    ] == [
        "policy.min_rest_gap",
        "policy.late_cancel_window.nanos",
    ]
    assert [v.field for v in rejected(identity_pb2.CreateEnrolmentCodeRequest, code.SerializeToString())] == [
        "expires_at.nanos"
    ]


def test_oversized_strings_and_unknown_enum_numbers_are_refused() -> None:
    rules = availability_pb2.SetRulesRequest()
    rules.rules.timezone = "Europe/" + "x" * 10_000
    blob = rules.SerializeToString()
    slots = scheduling_pb2.FindSlotsRequest()
    slots.session_type = 999  # type: ignore[assignment]

    (too_long,) = rejected(availability_pb2.SetRulesRequest, blob)
    (unknown,) = rejected(scheduling_pb2.FindSlotsRequest, slots.SerializeToString())

    assert too_long == FieldViolation("rules.timezone", "must be at most 4,096 characters")
    assert unknown.field == "session_type"


def test_documents_may_be_longer_than_ordinary_strings() -> None:
    ics = availability_pb2.ImportBusyCalendarRequest(provider_id="p", ics="X" * 100_000)

    assert decode(availability_pb2.ImportBusyCalendarRequest, ics.SerializeToString()) == ics


def test_safe_converters_name_the_field_instead_of_overflowing() -> None:
    code = identity_pb2.CreateEnrolmentCodeRequest()
    code.expires_at.seconds = 2**40
    policy = scheduling_pb2.FatiguePolicy()
    policy.min_rest_gap.seconds = 11 * 3600

    with pytest.raises(InvalidInput) as caught:
        to_datetime(code.expires_at, "expires_at")
    assert caught.value.violations[0].field == "expires_at"
    assert to_timedelta(policy.min_rest_gap, "min_rest_gap") == timedelta(hours=11)
