from __future__ import annotations

import logging

import pytest

from tenfour_identity.adapters.vault import Purpose, SealedValueError, Vault

MASTER = bytes(range(32))


def test_sealed_values_open_only_with_their_key_purpose_and_record() -> None:
    vault = Vault(MASTER)
    sealed = vault.seal(Purpose.TOTP, b"JBSWY3DPEHPK3PXP", "u-1")
    assert b"JBSWY3DPEHPK3PXP" not in sealed.encode()
    assert vault.open(Purpose.TOTP, sealed, "u-1") == b"JBSWY3DPEHPK3PXP"
    assert vault.seal(Purpose.TOTP, b"x", "u-1") != vault.seal(Purpose.TOTP, b"x", "u-1")  # random nonces
    with pytest.raises(SealedValueError):
        vault.open(Purpose.TOTP, sealed, "u-2")  # copied onto another user
    with pytest.raises(SealedValueError):
        vault.open(Purpose.CONTACT, sealed, "u-1")  # another purpose's key
    with pytest.raises(SealedValueError):
        Vault(bytes(32)).open(Purpose.TOTP, sealed, "u-1")  # another master key
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SealedValueError):
        vault.open(Purpose.TOTP, tampered, "u-1")


def test_purposes_have_independent_keys() -> None:
    vault = Vault(MASTER)
    assert len({vault.key(p) for p in Purpose}) == len(Purpose)
    assert vault.mac(Purpose.THROTTLE, "acct:owl") != vault.mac(Purpose.CODE_PEPPER, "acct:owl")


def test_master_key_setting_forms(caplog: pytest.LogCaptureFixture) -> None:
    hex_form = Vault.from_setting(MASTER.hex())
    generated = Vault.generate_master()
    assert Vault.from_setting(generated).key(Purpose.TOTP) != hex_form.key(Purpose.TOTP)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Vault.from_setting("abcd")
    with caplog.at_level(logging.WARNING):
        dev = Vault.from_setting("")
    assert "development key" in caplog.text
    assert dev.key(Purpose.TOTP) == Vault.from_setting(" ").key(Purpose.TOTP)  # stable across restarts
