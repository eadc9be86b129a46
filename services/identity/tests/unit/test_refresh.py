from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_identity.domain.refresh import (
    FamilyStatus,
    RefreshFamily,
    RefreshPolicy,
    RevocationReason,
    RotationOutcome,
    TokenRecord,
    hash_refresh_token,
    new_refresh_token,
    new_session_token,
    revoke,
    rotate,
    session_of,
    start_family,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = RefreshPolicy(idle_timeout=timedelta(hours=1), absolute_lifetime=timedelta(hours=12))


class Store:
    """A dict-backed stand-in for the Redis adapter, to drive the transitions end to end."""

    def __init__(self) -> None:
        self.families: dict[str, RefreshFamily] = {}
        self.records: dict[str, TokenRecord] = {}

    def login(self, now: datetime = NOW) -> str:
        token, token_hash = new_refresh_token()
        family, record = start_family(
            family_id="fam-1", user_id="u-1", token_hash=token_hash, now=now, policy=POLICY
        )
        self.families[family.family_id] = family
        self.records[record.token_hash] = record
        return token

    def refresh(self, token: str, now: datetime) -> tuple[RotationOutcome | None, str | None]:
        record = self.records.get(hash_refresh_token(token))
        if record is None:
            return None, None  # unknown token: rejected, family untouched
        new_token, new_hash = new_refresh_token()
        result = rotate(
            self.families[record.family_id], record, new_token_hash=new_hash, now=now, policy=POLICY
        )
        self.families[record.family_id] = result.family
        if result.new_record:
            self.records[result.new_record.token_hash] = result.new_record
            return result.outcome, new_token
        return result.outcome, None


def test_tokens_are_opaque_random_and_stored_hashed() -> None:
    token, token_hash = new_refresh_token()
    assert token.startswith("rt_")
    assert len(token) >= 40
    assert token_hash == hash_refresh_token(token)
    assert token not in token_hash
    assert new_refresh_token()[0] != token


def test_rotation_on_every_use() -> None:
    store = Store()
    token = store.login()
    seen = {token}
    for minute in range(1, 6):
        outcome, new = store.refresh(token, NOW + timedelta(minutes=minute))
        assert outcome is RotationOutcome.ROTATED
        assert new is not None
        assert new not in seen
        seen.add(new)
        token = new
    assert store.families["fam-1"].generation == 5


def test_reuse_of_a_rotated_token_revokes_the_family() -> None:
    store = Store()
    stolen = store.login()
    outcome, legit = store.refresh(stolen, NOW + timedelta(minutes=1))
    assert outcome is RotationOutcome.ROTATED
    assert legit is not None
    outcome, _ = store.refresh(stolen, NOW + timedelta(minutes=2))  # the thief replays
    assert outcome is RotationOutcome.REUSED
    family = store.families["fam-1"]
    assert family.revoked_reason is RevocationReason.REUSE_DETECTED
    outcome, _ = store.refresh(legit, NOW + timedelta(minutes=3))  # the officer is logged out too
    assert outcome is RotationOutcome.REVOKED


def test_unknown_tokens_do_not_touch_the_family() -> None:
    store = Store()
    store.login()
    assert store.refresh("rt_forged", NOW) == (None, None)
    assert store.families["fam-1"].revoked_at is None


def test_idle_and_absolute_expiry() -> None:
    store = Store()
    token = store.login()
    outcome, _ = store.refresh(token, NOW + timedelta(hours=1))
    assert outcome is RotationOutcome.EXPIRED
    # Busy sessions still end at the absolute lifetime.
    store = Store()
    token = store.login()
    for minutes in range(50, 12 * 60, 50):
        outcome, new = store.refresh(token, NOW + timedelta(minutes=minutes))
        assert outcome is RotationOutcome.ROTATED
        assert new is not None
        token = new
    outcome, _ = store.refresh(token, NOW + timedelta(hours=12))
    assert outcome is RotationOutcome.EXPIRED


def test_status_and_revoke() -> None:
    family, _ = start_family(family_id="f", user_id="u", token_hash="h", now=NOW, policy=POLICY)
    assert family.status(NOW, POLICY) is FamilyStatus.ACTIVE
    assert family.status(NOW + timedelta(hours=2), POLICY) is FamilyStatus.EXPIRED
    logged_out = revoke(family, NOW, RevocationReason.LOGOUT)
    assert logged_out.status(NOW, POLICY) is FamilyStatus.REVOKED
    # The first reason sticks: a later logout must not hide a detected reuse.
    assert revoke(logged_out, NOW, RevocationReason.REUSE_DETECTED).revoked_reason is RevocationReason.LOGOUT


def test_mismatched_records_are_treated_as_reuse() -> None:
    family, _ = start_family(family_id="f", user_id="u", token_hash="h", now=NOW, policy=POLICY)
    forged = TokenRecord("other-hash", "f", 0)
    assert (
        rotate(family, forged, new_token_hash="n", now=NOW, policy=POLICY).outcome is RotationOutcome.REUSED
    )
    with pytest.raises(ValueError, match="another family"):
        rotate(family, TokenRecord("h", "g", 0), new_token_hash="n", now=NOW, policy=POLICY)


def test_policy_bounds() -> None:
    with pytest.raises(ValueError, match="idle"):
        RefreshPolicy(idle_timeout=timedelta(hours=13), absolute_lifetime=timedelta(hours=12))


def test_session_tokens_name_their_family() -> None:
    token, token_hash = new_session_token("fam_0123456789abcdef")
    assert token.startswith("rt_fam_0123456789abcdef.")
    assert token_hash == hash_refresh_token(token)
    assert session_of(token) == "fam_0123456789abcdef"
    for bad in (
        "",
        "rt_",
        "rt_short.x",
        "xx_fam_0123456789abcdef.abc",
        "rt_fam_0123456789abcdef.",
        "rt_" + "a" * 300,
    ):
        assert session_of(bad) is None
    with pytest.raises(ValueError, match="family id"):
        new_session_token("bad id!")
