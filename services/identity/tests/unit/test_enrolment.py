from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenfour_identity.domain.enrolment import (
    ALPHABET,
    CODE_REFUSED_MESSAGE,
    EnrolmentCode,
    Refusal,
    generate_code,
    hash_code,
    issue_code,
    normalise_code,
    redeem,
    refusal,
    revoke,
)
from tenfour_identity.domain.errors import ValidationFailed, WrongState
from tenfour_shared.auth.roles import Role

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PEPPER = b"p" * 32


def _issue(max_uses: int = 1, role: Role = Role.OFFICER, days: int = 7) -> tuple[str, EnrolmentCode]:
    return issue_code(
        code_id="c-1",
        agency_id="agency-1",
        created_by="admin-1",
        now=NOW,
        expires_at=NOW + timedelta(days=days),
        pepper=PEPPER,
        max_uses=max_uses,
        role=role,
        label="Night shift roll call",
    )


def test_codes_are_grouped_crockford_base32() -> None:
    code = generate_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    assert len({generate_code() for _ in range(200)}) == 200


@given(st.text(alphabet=ALPHABET, min_size=16, max_size=16))
def test_normalisation_forgives_case_spaces_and_lookalikes(symbols: str) -> None:
    canonical = normalise_code(symbols)
    typed = " ".join(symbols.lower()).replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == canonical
    assert hash_code(typed, PEPPER) == hash_code(canonical, PEPPER)


@pytest.mark.parametrize(
    "typed", ["", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRSU", "ABCD-EFGH-JKMN-PQR!", "ÀBCD-EFGH-JKMN-PQRS"]
)
def test_bad_codes_are_validation_errors(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalise_code(typed)
    assert caught.value.violations[0].field == "code"


def test_only_a_peppered_hash_is_stored() -> None:
    code, record = _issue()
    assert code not in record.model_dump_json()
    assert record.code_hash == hash_code(code, PEPPER)
    assert record.code_hash != hash_code(code, b"q" * 32)
    assert "code_hash" not in repr(record)
    with pytest.raises(ValueError, match="pepper"):
        hash_code(code, b"short")


def test_single_use_code() -> None:
    _, record = _issue()
    used = redeem(record, NOW + timedelta(hours=1))
    assert used.uses == 1
    with pytest.raises(WrongState) as caught:
        redeem(used, NOW + timedelta(hours=2))
    assert caught.value.reason == "exhausted"
    assert caught.value.message == CODE_REFUSED_MESSAGE


def test_multi_use_code_has_a_cap() -> None:
    _, record = _issue(max_uses=3)
    for _ in range(3):
        record = redeem(record, NOW)
    assert refusal(record, NOW) is Refusal.EXHAUSTED


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: r, None),
        (lambda r: None, Refusal.UNKNOWN),
        (lambda r: revoke(r, NOW), Refusal.REVOKED),
    ],
)
def test_refusal_reasons(mutate: object, reason: Refusal | None) -> None:
    _, record = _issue()
    assert callable(mutate)
    assert refusal(mutate(record), NOW) is reason


def test_expiry_is_exclusive() -> None:
    _, record = _issue(days=1)
    assert refusal(record, NOW + timedelta(days=1) - timedelta(seconds=1)) is None
    assert refusal(record, NOW + timedelta(days=1)) is Refusal.EXPIRED


def test_every_refusal_looks_the_same_to_the_caller() -> None:
    _, record = _issue()
    messages = set()
    for candidate, at in ((None, NOW), (revoke(record, NOW), NOW), (record, NOW + timedelta(days=30))):
        with pytest.raises(WrongState) as caught:
            redeem(candidate, at)
        messages.add(str(caught.value))
    assert messages == {CODE_REFUSED_MESSAGE}


def test_revoke_is_idempotent() -> None:
    _, record = _issue()
    first = revoke(record, NOW)
    assert revoke(first, NOW + timedelta(hours=1)).revoked_at == NOW


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": Role.THERAPIST}, "role"),
        ({"role": Role.AGENCY_ADMIN}, "role"),
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": 10_001}, "max_uses"),
        ({"days": 0}, "expires_at"),
        ({"days": 400}, "expires_at"),
    ],
)
def test_issue_rules(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _issue(**kwargs)  # type: ignore[arg-type]
    assert {v.field for v in caught.value.violations} == {field}


def test_peer_supporter_codes_are_allowed() -> None:
    _, record = _issue(role=Role.PEER_SUPPORTER)
    assert record.role is Role.PEER_SUPPORTER
