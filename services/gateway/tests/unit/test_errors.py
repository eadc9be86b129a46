"""gRPC failures as {code, message, fields} with field violations from google.rpc.BadRequest."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from grpc_status import rpc_status

from tenfour_gateway.errors import HTTP_STATUS, error_body, from_rpc_error
from tenfour_shared.errors import FieldViolation, InvalidInput, NotFound, Throttled
from tenfour_shared.rpc_status import to_status


class FakeCall(grpc.RpcError):
    """What a failed grpc.aio call looks like to the gateway: code, details, trailing metadata."""

    def __init__(self, status: grpc.Status) -> None:
        self._status = status

    def code(self) -> grpc.StatusCode:
        return self._status.code

    def details(self) -> str:
        return self._status.details

    def trailing_metadata(self) -> Any:
        return self._status.trailing_metadata


def test_field_violations_become_fields() -> None:
    error = InvalidInput(
        [
            FieldViolation("rules.weekly[2].end", "must be after the start"),
            FieldViolation("rules.timezone", "unknown time zone"),
            FieldViolation("rules.timezone", "try America/Chicago"),
        ]
    )
    status, body = from_rpc_error(FakeCall(to_status(error)))
    assert status == 400
    assert body["code"] == "INVALID_ARGUMENT"
    assert body["fields"] == {
        "rules.weekly[2].end": "must be after the start",
        "rules.timezone": "unknown time zone; try America/Chicago",
    }
    assert "rules.weekly[2].end" in body["message"]


def test_field_violations_carry_codes_and_values_for_the_page() -> None:
    error = InvalidInput(
        [
            FieldViolation("password", "must have at least 12 characters"),
            FieldViolation("password", "is too repetitive"),
            FieldViolation("anchor", "must be between 2006-12-05 and 2036-12-05"),
            FieldViolation("note", "something no template knows"),
        ]
    )
    _, body = from_rpc_error(FakeCall(to_status(error)))
    assert body["field_reasons"]["password"] == [
        {"code": "min_length", "params": {"min": "12"}, "message": "must have at least 12 characters"},
        {"code": "too_repetitive", "params": {}, "message": "is too repetitive"},
    ]
    assert body["field_reasons"]["anchor"][0]["params"] == {"min": "2006-12-05", "max": "2036-12-05"}
    assert body["field_reasons"]["note"] == [
        {"code": "", "params": {}, "message": "something no template knows"}
    ]


def test_domain_message_is_kept() -> None:
    status, body = from_rpc_error(FakeCall(to_status(NotFound("no roster yet"))))
    assert (status, body) == (404, {"code": "NOT_FOUND", "message": "no roster yet", "fields": {}})


def test_a_known_refusal_carries_its_code_and_values_for_the_page() -> None:
    _, body = from_rpc_error(FakeCall(to_status(NotFound("no such appointment"))))
    assert body["reason"] == {"code": "no_such_appointment", "params": {}}
    _, body = from_rpc_error(FakeCall(to_status(Throttled("too many attempts; retry in 30 s", 30))))
    assert body["reason"] == {"code": "too_many_attempts", "params": {"seconds": "30"}}
    assert error_body(grpc.StatusCode.UNAVAILABLE, "")["reason"]["code"] == "service_busy"


@pytest.mark.parametrize(
    ("code", "http"),
    [
        (grpc.StatusCode.UNIMPLEMENTED, 501),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.INTERNAL, 500),
        (grpc.StatusCode.UNKNOWN, 500),
    ],
)
def test_internal_details_are_never_shown(code: grpc.StatusCode, http: int) -> None:
    status = rpc_status.to_status(
        __import__("google.rpc.status_pb2", fromlist=["Status"]).Status(
            code=code.value[0], message="Traceback: redis at 10.0.0.3:6379 said no"
        )
    )
    got_http, body = from_rpc_error(FakeCall(status))
    assert got_http == http
    assert "redis" not in body["message"]
    assert "10.0.0.3" not in body["message"]
    assert body["code"] == code.name


def test_unimplemented_reads_not_available_yet() -> None:
    assert (
        error_body(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")["message"]
        == "This is not available yet."
    )


def test_every_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(grpc.StatusCode)
    assert HTTP_STATUS[grpc.StatusCode.UNAUTHENTICATED] == 401
    assert HTTP_STATUS[grpc.StatusCode.PERMISSION_DENIED] == 403
    assert HTTP_STATUS[grpc.StatusCode.ABORTED] == 409


def test_plain_rpc_error_without_status_detail() -> None:
    class Bare(grpc.RpcError):
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.FAILED_PRECONDITION

        def details(self) -> str:
            return "the session has ended"

        def trailing_metadata(self) -> Any:
            return ()

    assert from_rpc_error(Bare()) == (
        400,
        {"code": "FAILED_PRECONDITION", "message": "the session has ended", "fields": {}},
    )


def test_a_throttled_call_says_when_to_retry_in_whole_seconds() -> None:
    status, body = from_rpc_error(FakeCall(to_status(Throttled("too many attempts", 31.2))))
    assert status == 429
    assert body["retry_after_seconds"] == 32
    _, plain = from_rpc_error(FakeCall(to_status(NotFound("no roster yet"))))
    assert "retry_after_seconds" not in plain
