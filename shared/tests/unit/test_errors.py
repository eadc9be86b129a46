"""Domain errors become the gRPC status a client sees, with field violations it can show."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2
from pydantic import BaseModel, ValidationError

from tenfour_shared.errors import (
    AlreadyExists,
    ConcurrentChange,
    DependencyDown,
    DomainError,
    FieldViolation,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Throttled,
    WrongState,
    excerpt,
    violations_from_pydantic,
)
from tenfour_shared.rpc_status import field_violations, retry_delay, to_status


class Window(BaseModel):
    start: int
    end: int


class Rules(BaseModel):
    timezone: str
    weekly: list[Window]


class FailedCall(grpc.RpcError):
    """What a client holds after a failed call: code, details and trailing metadata."""

    def __init__(self, status: grpc.Status) -> None:
        self._status = status

    def code(self) -> grpc.StatusCode:
        return self._status.code

    def details(self) -> str:
        return self._status.details

    def trailing_metadata(self) -> Any:
        return self._status.trailing_metadata


def rich_status(status: grpc.Status) -> status_pb2.Status:
    [(key, value)] = status.trailing_metadata
    assert key == "grpc-status-details-bin"
    return status_pb2.Status.FromString(value)


def rules_error(payload: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Rules.model_validate(payload)
    return caught.value


def test_invalid_argument_status_carries_bad_request_violations() -> None:
    error = InvalidInput(
        [FieldViolation("weekly[2].end", "must be after start"), FieldViolation("timezone", "unknown zone")]
    )

    status = to_status(error)

    assert status.code is grpc.StatusCode.INVALID_ARGUMENT
    rich = rich_status(status)
    assert rich.code == code_pb2.INVALID_ARGUMENT
    assert rich.message == status.details
    [detail] = rich.details
    bad = error_details_pb2.BadRequest()
    assert detail.Unpack(bad)
    assert [(v.field, v.description) for v in bad.field_violations] == [
        ("weekly[2].end", "must be after start"),
        ("timezone", "unknown zone"),
    ]


def test_client_decodes_the_violations_it_was_sent() -> None:
    error = InvalidInput.single("provider_id", "must not be empty")

    assert field_violations(FailedCall(to_status(error))) == [
        FieldViolation("provider_id", "must not be empty")
    ]


def test_default_message_names_every_offending_field() -> None:
    error = InvalidInput([FieldViolation("a", "too long"), FieldViolation("b.c", "missing")])

    assert error.message == "invalid request: a: too long; b.c: missing"
    assert InvalidInput([FieldViolation("a", "x")], "custom").message == "custom"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFound("no such provider"), grpc.StatusCode.NOT_FOUND),
        (AlreadyExists("taken"), grpc.StatusCode.ALREADY_EXISTS),
        (WrongState("not bookable"), grpc.StatusCode.FAILED_PRECONDITION),
        (ConcurrentChange("changed meanwhile"), grpc.StatusCode.ABORTED),
        (NotAllowed("not yours"), grpc.StatusCode.PERMISSION_DENIED),
        (NotSignedIn("no token"), grpc.StatusCode.UNAUTHENTICATED),
        (Throttled("slow down"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (DomainError("generic"), grpc.StatusCode.FAILED_PRECONDITION),
    ],
)
def test_each_domain_error_maps_to_its_code_without_details(
    error: DomainError, code: grpc.StatusCode
) -> None:
    status = to_status(error)

    assert status.code is code
    assert status.details == error.message
    assert list(rich_status(status).details) == []
    assert field_violations(FailedCall(status)) == []


def test_unavailable_tells_clients_when_to_retry() -> None:
    status = to_status(DependencyDown("redis is down", retry_after=2.5))

    assert status.code is grpc.StatusCode.UNAVAILABLE
    assert retry_delay(FailedCall(status)) == 2.5
    assert retry_delay(FailedCall(to_status(NotFound("x")))) is None


def test_status_texts_are_clipped_and_printable_whatever_the_input() -> None:
    echo = "Europe/" + "x" * 10_000 + "\n\x00"
    status = to_status(InvalidInput.single("timezone", f"unknown zone {echo}"))

    assert len(status.details) <= 300
    (violation,) = field_violations(FailedCall(status))
    assert len(violation.description) <= 200
    assert violation.description.isprintable()


def test_excerpt_quotes_a_short_escaped_prefix() -> None:
    assert excerpt("Europe/London") == "'Europe/London'"
    assert excerpt("a" * 100) == "'" + "a" * 24 + "…'"
    assert excerpt("\x00\u202e\n") == "'\\x00\\u202e\\x0a'"


def test_pydantic_errors_become_dotted_paths_with_list_indexes() -> None:
    error = rules_error(
        {"weekly": [{"start": 1, "end": 2}, {"start": 1, "end": 2}, {"start": 1, "end": "late"}]}
    )

    fields = [v.field for v in violations_from_pydantic(error)]

    assert fields == ["timezone", "weekly[2].end"]


def test_pydantic_prefix_names_the_enclosing_request_field() -> None:
    error = rules_error({"timezone": "UTC", "weekly": [{"start": 1}]})

    [violation] = violations_from_pydantic(error, prefix="rules")

    assert violation.field == "rules.weekly[0].end"
    assert violation.description == "Field required"


def test_model_level_error_without_location_is_reported_on_the_request() -> None:
    with pytest.raises(ValidationError) as caught:
        Window.model_validate("not an object")

    assert [v.field for v in violations_from_pydantic(caught.value)] == ["request"]
    assert [v.field for v in violations_from_pydantic(caught.value, prefix="window")] == ["window"]


def test_call_without_rich_details_has_no_violations() -> None:
    plain = grpc.Status()
    plain.code, plain.details, plain.trailing_metadata = grpc.StatusCode.INTERNAL, "internal error", ()

    assert field_violations(FailedCall(plain)) == []
