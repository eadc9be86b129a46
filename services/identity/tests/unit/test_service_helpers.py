"""Pure helpers of the service and entrypoint layers."""

from __future__ import annotations

from typing import Any

import pytest

from tenfour_identity.domain.errors import ValidationFailed, Violation
from tenfour_identity.domain.fields import ContactChannel
from tenfour_identity.domain.validation import parse
from tenfour_identity.entrypoints.messages import request_source
from tenfour_identity.entrypoints.policy import RULES
from tenfour_identity.service.accounts import derive_username
from tenfour_identity.service.agencies import coarsen
from tenfour_identity.service.auth import normalise_login_name
from tenfour_identity.service.errors import Form, fields_as


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, (0, True)),
        (1, (0, True)),
        (10, (0, True)),
        (11, (10, False)),
        (19, (10, False)),
        (20, (20, False)),
        (123, (120, False)),
    ],
)
def test_redemption_counts_are_coarsened(count: int, shown: tuple[int, bool]) -> None:
    assert coarsen(count) == shown


@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("Dr.Kim@clinic.example", "dr.kim"),
        ("dr.kim+work@x.example", "dr.kim.work"),
        ("007bond@x.example", "bond"),
        ("1@x.example", ""),
    ],
)
def test_usernames_derived_from_email(email: str, username: str) -> None:
    assert derive_username(email) == username


def test_violations_renamed_to_request_fields() -> None:
    with (
        pytest.raises(ValidationFailed) as caught,
        fields_as(prefix="profile", rename={"user_id": "provider_id"}),
    ):
        raise ValidationFailed([("user_id", "bad"), ("languages[2]", "bad"), ("", "whole")])
    assert [v.field for v in caught.value.violations] == [
        "profile.provider_id",
        "profile.languages[2]",
        "profile",
    ]


def test_form_collects_every_violation() -> None:
    form = Form()
    assert form.value(lambda: parse(ContactChannel, "+1 (555) 123-4567", "contact")) == "+15551234567"
    assert form.value(lambda: parse(ContactChannel, "12345", "contact")) is None
    form.add("password", "too short")
    with pytest.raises(ValidationFailed) as caught:
        form.done()
    assert [v.field for v in caught.value.violations] == ["contact", "password"]
    Form().done()  # nothing wrong, nothing raised


def test_contact_channels() -> None:
    assert parse(ContactChannel, " owl@Mail.Example.COM ", "contact") == "owl@mail.example.com"
    for bad in ("call me", "+0123456789", "owl@", "+1555"):
        with pytest.raises(ValidationFailed) as caught:
            parse(ContactChannel, bad, "contact")
        assert caught.value.violations[0].field == "contact"


def test_login_names() -> None:
    assert normalise_login_name("  NightOwl ") == "nightowl"
    assert normalise_login_name("Dr.Kim@Clinic.Example") == "Dr.Kim@clinic.example"
    with pytest.raises(ValidationFailed) as caught:
        normalise_login_name(" ")
    assert caught.value.violations == (Violation("username", "is required"),)


class _Context:
    def __init__(self, metadata: tuple[tuple[str, str], ...], peer: str) -> None:
        self._metadata, self._peer = metadata, peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer(self) -> str:
        return self._peer


def test_request_source() -> None:
    tagged: Any = _Context((("x-tenfour-client", "dev-1"),), "ipv4:10.0.0.7:5123")
    assert request_source(tagged, trust_client_header=True) == "client:dev-1"
    assert request_source(tagged, trust_client_header=False) == "peer:ipv4:10.0.0.7"  # port dropped
    v6: Any = _Context((), "ipv6:[::1]:40000")
    assert request_source(v6, trust_client_header=True) == "peer:ipv6:[::1]"


def test_public_rpcs_are_exactly_those_with_their_own_credential() -> None:
    public = {name for name, rule in RULES.items() if rule.public}
    assert public == {
        "RedeemEnrolmentCode",
        "Login",
        "Refresh",
        "Logout",
        "BeginMfaSetup",
        "CompleteMfaSetup",
        "GetJwks",
    }
