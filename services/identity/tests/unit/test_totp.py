from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from tenfour_identity.domain.totp import new_totp_secret, provisioning_uri, time_step, verify_totp

NOW = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)


def _code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def secret() -> str:
    return new_totp_secret()


def test_secret_has_160_bits(secret: str) -> None:
    assert len(secret) == 32
    assert secret != new_totp_secret()


def test_provisioning_uri(secret: str) -> None:
    uri = urlparse(provisioning_uri(secret, account_name="nightowl"))
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Tenfour"]
    assert "nightowl" in uri.path


def test_current_code_returns_its_step(secret: str) -> None:
    assert verify_totp(secret, _code(secret, NOW), now=NOW, last_used_step=None) == time_step(NOW)


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_of_drift_is_accepted(secret: str, offset: int) -> None:
    at = NOW + timedelta(seconds=offset)
    assert verify_totp(secret, _code(secret, at), now=NOW, last_used_step=None) == time_step(at)


@pytest.mark.parametrize("offset", [-90, -60, 60, 90])
def test_codes_outside_the_window_fail(secret: str, offset: int) -> None:
    at = NOW + timedelta(seconds=offset)
    assert verify_totp(secret, _code(secret, at), now=NOW, last_used_step=None) is None


def test_replay_of_a_used_step_is_refused(secret: str) -> None:
    code = _code(secret, NOW)
    step = verify_totp(secret, code, now=NOW, last_used_step=None)
    assert step is not None
    assert verify_totp(secret, code, now=NOW + timedelta(seconds=5), last_used_step=step) is None
    # An older code still inside the drift window is refused too once a newer one was used.
    older = _code(secret, NOW - timedelta(seconds=30))
    assert verify_totp(secret, older, now=NOW, last_used_step=step) is None
    newer = _code(secret, NOW + timedelta(seconds=30))
    assert verify_totp(secret, newer, now=NOW + timedelta(seconds=30), last_used_step=step) == step + 1


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16", "12 34 5"]
)
def test_malformed_codes_fail(secret: str, code: str) -> None:
    assert verify_totp(secret, code, now=NOW, last_used_step=None) is None


def test_spaces_are_forgiven(secret: str) -> None:
    code = _code(secret, NOW)
    assert verify_totp(secret, f"{code[:3]} {code[3:]}", now=NOW, last_used_step=None) is not None


def test_naive_time_is_a_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        time_step(datetime(2026, 1, 1))
