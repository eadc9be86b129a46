"""Bad input gets a clear status and a message per offending field (google.rpc.BadRequest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.domain.enrolment import CODE_REFUSED_MESSAGE
from tenfour_shared.rpc_status import field_violations

from .conftest import PASSWORD, Stack, therapist_profile, unique


def _fails(call: Callable[[], Any]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value


def _fields(error: grpc.RpcError) -> set[str]:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    return {v.field for v in field_violations(error)}


def _onboard(stack: Stack, **changes: Any) -> Callable[[], Any]:
    name = unique("drx")
    fields: dict[str, Any] = {
        "email": f"{name}@clinic.example.com",
        "display_name": "Dr. X",
        "password": PASSWORD,
        "username": name,
        "profile": therapist_profile(),
    }
    fields.update(changes)
    return lambda: stack.api.stub.OnboardTherapist(
        pb.OnboardTherapistRequest(**fields), metadata=stack.root.md
    )


@pytest.mark.parametrize(
    "email",
    ["no-at-sign", "two@@example.com", "a b@example.com", "x@localhost", "x@example.123", "x@-bad-.com"],
)
def test_malformed_emails(stack: Stack, email: str) -> None:
    assert _fields(_fails(_onboard(stack, email=email))) == {"email"}


def test_every_bad_field_is_reported_at_once(stack: Stack) -> None:
    profile = therapist_profile(languages=["english"], timezone="Mars/Olympus")
    error = _fails(_onboard(stack, password="short", display_name="x" * 65, profile=profile))
    assert _fields(error) == {"password", "display_name", "profile.languages[0]", "profile.timezone"}
    messages = {v.field: v.description for v in field_violations(error)}
    assert "at least 12" in messages["password"]
    assert "at most 64" in messages["display_name"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 12"),
        ("x" * 200, "at most 128"),
        ("Password2024!", "too common"),
        ("aaaaaaaaaaaa", "repetitive"),
    ],
)
def test_weak_passwords_on_enrolment(stack: Stack, password: str, reason: str) -> None:
    code = stack.api.new_code(stack.a.admin, stack.a.id)
    error = _fails(
        lambda: stack.api.stub.RedeemEnrolmentCode(
            pb.RedeemEnrolmentCodeRequest(
                code=code, username=unique("owl"), display_name="Owl", password=password
            )
        )
    )
    [violation] = field_violations(error)
    assert violation.field == "password"
    assert reason in violation.description


def test_bad_enrolment_fields(stack: Stack) -> None:
    error = _fails(
        lambda: stack.api.stub.RedeemEnrolmentCode(
            pb.RedeemEnrolmentCodeRequest(
                code="not a code", username="9lives@pd", display_name="\u202e", password=PASSWORD
            )
        )
    )
    assert _fields(error) == {"code", "username", "display_name"}


def test_unknown_expired_and_used_up_codes_share_one_refusal(stack: Stack) -> None:
    admin, agency = stack.a.admin, stack.a.id
    soon = Timestamp()
    soon.FromDatetime(datetime.now(UTC) + timedelta(seconds=1))
    expiring = stack.api.stub.CreateEnrolmentCode(
        pb.CreateEnrolmentCodeRequest(agency_id=agency, expires_at=soon), metadata=admin.md
    ).code
    used = stack.api.new_code(admin, agency)
    stack.api.redeem(used, agency)
    time.sleep(1.1)
    for code in ("7K3Q-9M2X-4HPR-ZT8W", expiring, used):
        error = _fails(lambda c=code: stack.api.redeem(c, agency))
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error.details() == CODE_REFUSED_MESSAGE


def test_taken_username(stack: Stack) -> None:
    code = stack.api.new_code(stack.a.admin, stack.a.id)
    error = _fails(lambda: stack.api.redeem(code, stack.a.id, username=stack.b.officer.username))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    stack.api.redeem(code, stack.a.id)  # the refused attempt did not spend the single-use code


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"max_redemptions": 10_001}, {"max_redemptions"}),
        ({"max_redemptions": -1}, {"max_redemptions"}),
        ({"label": "x" * 81}, {"label"}),
        ({"expires_in": timedelta(days=-1)}, {"expires_at"}),
        ({"expires_in": timedelta(days=400)}, {"expires_at"}),
    ],
)
def test_bad_enrolment_code_requests(stack: Stack, changes: dict[str, Any], fields: set[str]) -> None:
    request = pb.CreateEnrolmentCodeRequest(agency_id=stack.a.id)
    if "expires_in" in changes:
        request.expires_at.FromDatetime(datetime.now(UTC) + changes.pop("expires_in"))
    for name, value in changes.items():
        setattr(request, name, value)
    assert (
        _fields(_fails(lambda: stack.api.stub.CreateEnrolmentCode(request, metadata=stack.a.admin.md)))
        == fields
    )


def test_bad_agency_and_contact_and_login_input(stack: Stack) -> None:
    stub = stack.api.stub
    agency = pb.CreateAgencyRequest(
        name="", timezone="Central", jurisdiction="Texas", crisis_line_text="x" * 501
    )
    assert _fields(_fails(lambda: stub.CreateAgency(agency, metadata=stack.root.md))) == {
        "name",
        "timezone",
        "jurisdiction",
        "crisis_line_text",
    }
    contact = pb.SetContactChannelRequest(contact="call me maybe")
    assert _fields(_fails(lambda: stub.SetContactChannel(contact, metadata=stack.a.officer.md))) == {
        "contact"
    }
    assert _fields(_fails(lambda: stub.Login(pb.LoginRequest(username="", password="")))) == {"username"}
    assert _fields(_fails(lambda: stub.Login(pb.LoginRequest(username="x" * 300, password="y")))) == {
        "username"
    }
    audit = pb.ListAuditEventsRequest(limit=5000, after_id="yesterday")
    assert _fields(_fails(lambda: stub.ListAuditEvents(audit, metadata=stack.root.md))) == {"limit"}


def test_unknown_agency_and_user(stack: Stack) -> None:
    stub = stack.api.stub
    code = pb.CreateEnrolmentCodeRequest(agency_id="ag-does-not-exist")
    assert (
        _fails(lambda: stub.CreateEnrolmentCode(code, metadata=stack.root.md)).code()
        == grpc.StatusCode.NOT_FOUND
    )
    gone = pb.DeactivateUserRequest(user_id="u-does-not-exist")
    assert (
        _fails(lambda: stub.DeactivateUser(gone, metadata=stack.root.md)).code() == grpc.StatusCode.NOT_FOUND
    )
    # An agency admin learns nothing about ids outside their agency, existing or not.
    for user_id in ("u-does-not-exist", stack.b.officer.user_id):
        request = pb.DeactivateUserRequest(user_id=user_id)
        error = _fails(lambda r=request: stub.DeactivateUser(r, metadata=stack.a.admin.md))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
