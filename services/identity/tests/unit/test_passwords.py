from __future__ import annotations

import argon2
import pytest

from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.domain.password_policy import ensure_acceptable_password, password_problems
from tenfour_identity.domain.passwords import Argon2Params, PasswordHasher

GOOD = "river-stone-lantern-42"
FULLWIDTH = "".join(chr(0xFF00 + ord(c) - 0x20) for c in "fullwidth")  # NFKC folds it


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher()  # real OWASP parameters: ~30 ms per hash


def test_hash_is_argon2id_with_at_least_owasp_parameters(hasher: PasswordHasher) -> None:
    encoded = hasher.hash(GOOD)
    params = argon2.extract_parameters(encoded)
    assert encoded.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert hasher.hash(GOOD) != encoded  # salted


def test_verify(hasher: PasswordHasher) -> None:
    encoded = hasher.hash(GOOD)
    assert hasher.verify(encoded, GOOD)
    assert not hasher.verify(encoded, GOOD.upper())
    assert not hasher.verify(encoded, "")
    assert not hasher.verify(encoded, "x" * 5000)
    assert not hasher.verify("not-a-hash", GOOD)


def test_unicode_is_normalised_nfkc(hasher: PasswordHasher) -> None:
    composed = "caf\u00e9-lantern-river"
    decomposed = "cafe\u0301-lantern-river"
    assert hasher.verify(hasher.hash(composed), decomposed)
    assert hasher.verify(hasher.hash(FULLWIDTH + "-pass-1"), "fullwidth-pass-1")


def test_unknown_user_costs_a_real_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic (no timing): an unknown user runs one full Argon2 verify, same parameters."""
    hasher = PasswordHasher()
    real = hasher.hash(GOOD)
    verified: list[str] = []
    original = argon2.PasswordHasher.verify

    def spy(self: argon2.PasswordHasher, encoded: str, password: str) -> bool:
        verified.append(encoded)
        return original(self, encoded, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    assert not hasher.verify(None, GOOD)
    assert not hasher.verify(None, "")
    assert len(verified) == 2
    assert argon2.extract_parameters(verified[0]) == argon2.extract_parameters(real)


def test_rehash_when_parameters_change(hasher: PasswordHasher) -> None:
    old = argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(GOOD)
    assert not hasher.needs_rehash(old)
    stronger = PasswordHasher(Argon2Params(memory_kib=24 * 1024))
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, GOOD)  # old hashes still verify, then get upgraded
    assert hasher.needs_rehash("garbage")


def test_parameters_below_owasp_are_refused() -> None:
    for params in ({"memory_kib": 1024}, {"time_cost": 1}, {"parallelism": 0}):
        with pytest.raises(ValueError, match="OWASP"):
            Argon2Params(**params)


def test_overlong_passwords_are_not_hashed(hasher: PasswordHasher) -> None:
    with pytest.raises(ValueError, match="too long"):
        hasher.hash("x" * 5000)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "too common"),
        ("Password2024!", "too common"),
        ("ThinBlueLine1", "too common"),
        ("Back The Blue!!", "too common"),
        ("123456789012", "too common"),
        ("aaaaaaaaaaaaaaaa", "too repetitive"),
        ("abababababab", "too repetitive"),
    ],
)
def test_policy_refusals(password: str, problem: str) -> None:
    assert any(problem in message for message in password_problems(password))


def test_policy_refuses_own_names() -> None:
    assert password_problems("Night Owl Rider", display_name="night owl rider")
    assert password_problems("nightowlrider99", username="nightowlrider")
    assert not password_problems("night owl rides at dawn", display_name="Night Owl")


@pytest.mark.parametrize(
    "password",
    [GOOD, "correct horse battery staple 42x", "Δέκα-τέσσερα-ok!", "x" * 12 + "yz1", "🚓🚓🚓 siren song"],
)
def test_policy_accepts_long_uncommon_passwords(password: str) -> None:
    assert password_problems(password, display_name="Night Owl", username="nightowl") == []


def test_policy_counts_characters_not_bytes() -> None:
    assert password_problems("ééééééé-owl!") == []  # 12 code points, 19 UTF-8 bytes
    assert password_problems("é" * 129) == ["must have at most 128 characters"]


def test_ensure_acceptable_password_reports_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        ensure_acceptable_password("password")
    assert {v.field for v in caught.value.violations} == {"password"}
    assert len(caught.value.violations) == 2  # too short and too common
    ensure_acceptable_password(GOOD)
