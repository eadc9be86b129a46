from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_signaling.domain import RoomStateError, credential_expiry, mint_turn_credential, turn_password

NOW = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)


def test_password_matches_an_independent_computation() -> None:
    # printf '1700000000:abcdEFGH1234' | openssl dgst -sha1 -hmac north-secret -binary | base64
    assert turn_password("north-secret", "1700000000:abcdEFGH1234") == "ExtIyxfgqTxutbO7OfMZYP16qYU="


def test_username_is_expiry_and_opaque_handle() -> None:
    expiry = datetime.fromtimestamp(1_700_000_000, UTC)
    credential = mint_turn_credential("north-secret", "abcdEFGH1234", expiry)
    assert credential.username == "1700000000:abcdEFGH1234"
    assert credential.password == "ExtIyxfgqTxutbO7OfMZYP16qYU="
    assert credential.expires_at == expiry
    assert "ExtIyx" not in repr(credential)


@pytest.mark.parametrize("user", ["officer@agency.gov", "1234:5678", "short", ""])
def test_refuses_anything_but_an_opaque_handle(user: str) -> None:
    with pytest.raises(ValueError, match="opaque"):
        mint_turn_credential("s", user, NOW)


def test_refuses_an_empty_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        mint_turn_credential("", "abcdEFGH1234", NOW)


def test_expiry_follows_the_room_close_and_is_capped() -> None:
    assert credential_expiry(NOW, NOW + timedelta(minutes=75)) == NOW + timedelta(minutes=75)
    assert credential_expiry(NOW, NOW + timedelta(days=2)) == NOW + timedelta(hours=3)
    assert credential_expiry(NOW, NOW + timedelta(days=2), timedelta(minutes=5)) == NOW + timedelta(minutes=5)
    with pytest.raises(RoomStateError):
        credential_expiry(NOW, NOW)
