from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tenfour_identity.domain.errors import ValidationFailed, Violation
from tenfour_identity.domain.models import Agency, Credentials, User
from tenfour_identity.domain.validation import build, evolve
from tenfour_shared.auth.roles import Role

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _officer(**changes: Any) -> User:
    data: dict[str, Any] = {
        "id": "u-1",
        "username": "nightowl",
        "display_name": "Night Owl",
        "role": Role.OFFICER,
        "agency_id": "agency-1",
        "created_at": NOW,
    }
    return build(User, **{**data, **changes})


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {v.field for v in exc.value.violations}


def test_officer_is_pseudonymous() -> None:
    user = _officer(username="  NightOwl ", display_name="  Night \t  Owl ")
    assert user.username == "nightowl"
    assert user.display_name == "Night Owl"
    with pytest.raises(ValidationFailed) as caught:
        _officer(email="owl@pd.example.gov")
    assert caught.value.violations == (Violation("email", "role officer is pseudonymous and has no email"),)


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN])
def test_staff_need_email(role: Role) -> None:
    agency = None if role is not Role.AGENCY_ADMIN else "agency-1"
    with pytest.raises(ValidationFailed) as caught:
        _officer(role=role, agency_id=agency)
    assert _fields(caught) == {"email"}
    user = _officer(role=role, agency_id=agency, email="Dr.Kim@Clinic.Example.COM")
    assert user.email == "Dr.Kim@clinic.example.com"  # domain case-folded, local part kept


def test_agency_rules_point_at_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(agency_id=None)
    assert _fields(caught) == {"agency_id"}
    with pytest.raises(ValidationFailed) as caught:
        _officer(role=Role.SYSTEM_ADMIN, email="ops@tenfour.example")
    assert _fields(caught) == {"agency_id"}


def test_many_problems_are_reported_together_without_inputs() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(id="bad id!", username="x", display_name="\u202e", created_at=datetime(2026, 1, 1))
    assert _fields(caught) == {"id", "username", "display_name", "created_at"}
    assert "\u202e" not in str(caught.value)


@pytest.mark.parametrize(
    "username", ["ab", "a" * 33, "1officer", "owl@pd.gov", "nïght", "night owl", "night/owl", ""]
)
def test_bad_usernames(username: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(username=username)
    assert _fields(caught) == {"username"}


@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 65, "Night\u200bOwl", "Night\u202eOwl", "Bell\x07", "---", "Owl\ud800"],
)
def test_bad_display_names(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(display_name=name)
    assert _fields(caught) == {"display_name"}


def test_display_name_is_nfc_normalised() -> None:
    assert _officer(display_name="Jose\u0301").display_name == "Jos\u00e9"
    assert _officer(display_name="Ōkami 狼").display_name == "Ōkami 狼"


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("a.b+tag@example.org", "a.b+tag@example.org"),
        ("kim@bücher.example", "kim@xn--bcher-kva.example"),
        ("x@sub.domain.example.co.uk", "x@sub.domain.example.co.uk"),
    ],
)
def test_good_emails(email: str, expected: str) -> None:
    assert _officer(role=Role.THERAPIST, agency_id=None, email=email).email == expected


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "@example.org",
        "a@",
        "a@localhost",
        "a..b@example.org",
        ".a@example.org",
        '"quoted"@example.org',
        "a@[127.0.0.1]",
        "a@-example.org",
        "a@example.123",
        "a b@example.org",
        "x" * 65 + "@example.org",
        "a@" + "b" * 250 + ".org",
    ],
)
def test_bad_emails(email: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(role=Role.THERAPIST, agency_id=None, email=email)
    assert _fields(caught) == {"email"}


def test_models_are_frozen_and_evolve_revalidates() -> None:
    user = _officer()
    with pytest.raises(Exception, match="frozen"):
        user.disabled = True  # type: ignore[misc]
    assert evolve(user, disabled=True).disabled
    with pytest.raises(ValidationFailed):
        evolve(user, agency_id=None)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _officer(is_admin=True)
    assert _fields(caught) == {"is_admin"}


def test_agency_timezone_must_be_iana() -> None:
    agency = build(Agency, id="a-1", name="  Springfield   PD ", timezone="America/Chicago", created_at=NOW)
    assert agency.name == "Springfield PD"
    for zone in ("Mars/Olympus", "CST", "../etc/passwd", "", "America/Chicago "):
        with pytest.raises(ValidationFailed) as caught:
            build(Agency, id="a-1", name="PD", timezone=zone, created_at=NOW)
        assert _fields(caught) == {"timezone"}


def test_credentials_hide_secrets_from_repr() -> None:
    creds = build(Credentials, user_id="u-1", password_hash="$argon2id$secret", totp_secret="JBSWY3DP")
    assert "argon2id" not in repr(creds)
    assert "JBSWY3DP" not in repr(creds)


def test_validation_failed_needs_violations() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ValidationFailed([])
    assert str(ValidationFailed([("", "bad request")])) == "invalid request: request: bad request"
