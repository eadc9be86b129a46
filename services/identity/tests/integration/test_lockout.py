"""The hard limit of NIST SP 800-63B: 100 consecutive failed sign-ins lock an account until an
admin unlocks it or the owner signs in with their second factor.

The first 99 failures are written straight into the counter (as if they had happened days apart,
under the backoff): only the 100th, the lock and its lifting go through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.adapters import keys
from tenfour_identity.adapters.vault import Purpose, Vault

from .conftest import KEK, PASSWORD, Stack, totp_code, unique

LOCKED = "this account is locked after too many failed sign-ins"


def _failures_key(subject: str) -> str:
    return keys.throttle("fails", Vault.from_setting(KEK).mac(Purpose.THROTTLE, "fails:" + subject))


def _client() -> tuple[tuple[str, str]]:
    return (("x-tenfour-client", unique("device-")),)


def _refusal(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code(), caught.value.details() or ""


def _reach_the_limit(stack: Stack, username: str, subject: str) -> None:
    stack.redis_client().set(_failures_key(subject), 99)
    wrong = pb.LoginRequest(username=username, password="one more wrong guess")
    assert (
        _refusal(lambda: stack.api.stub.Login(wrong, metadata=_client()))[0]
        is grpc.StatusCode.UNAUTHENTICATED
    )


def test_the_100th_failure_locks_until_an_admin_unlocks(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.a)
    right = pb.LoginRequest(username=officer.username, password=PASSWORD)
    _reach_the_limit(stack, officer.username, f"user:{officer.user_id}")

    code, message = _refusal(lambda: stub.Login(right, metadata=_client()))
    other_admin = _refusal(
        lambda: stub.UnlockAccount(
            pb.UnlockAccountRequest(user_id=officer.user_id), metadata=stack.b.admin.md
        )
    )
    unlocked = stub.UnlockAccount(pb.UnlockAccountRequest(user_id=officer.user_id), metadata=stack.a.admin.md)
    signed_in = stub.Login(right, metadata=_client())

    assert code is grpc.StatusCode.FAILED_PRECONDITION  # even with the right password
    assert message.startswith(LOCKED)
    assert other_admin[0] is grpc.StatusCode.PERMISSION_DENIED
    assert (unlocked.was_locked, unlocked.consecutive_failures) == (True, 100)
    assert signed_in.access_token
    audit = stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=1000), metadata=stack.root.md).events
    kinds = [e.kind for e in audit if e.user_id == officer.user_id]
    assert "account_locked" in kinds
    assert "account_unlocked" in kinds


def test_unknown_names_lock_alike_so_the_lock_reveals_no_account(stack: Stack) -> None:
    ghost = unique("ghost")
    _reach_the_limit(stack, ghost, f"name:{ghost}")

    code, message = _refusal(
        lambda: stack.api.stub.Login(pb.LoginRequest(username=ghost, password=PASSWORD), metadata=_client())
    )

    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert message.startswith(LOCKED)


def test_the_owner_unlocks_with_their_second_factor(stack: Stack) -> None:
    stub = stack.api.stub
    therapist = stack.api.onboard_therapist(stack.root, serves=(stack.a.id,))
    _reach_the_limit(stack, therapist.username, f"user:{therapist.user_id}")
    password_only = pb.LoginRequest(username=therapist.username, password=PASSWORD)
    wrong_code = pb.LoginRequest(username=therapist.username, password=PASSWORD, totp_code="000000")

    assert (
        _refusal(lambda: stub.Login(password_only, metadata=_client()))[0]
        is grpc.StatusCode.FAILED_PRECONDITION
    )
    assert (
        _refusal(lambda: stub.Login(wrong_code, metadata=_client()))[0] is grpc.StatusCode.FAILED_PRECONDITION
    )
    with_code = pb.LoginRequest(
        username=therapist.username, password=PASSWORD, totp_code=totp_code(therapist.totp_secret, 1)
    )
    signed_in = stub.Login(with_code, metadata=_client())

    assert signed_in.access_token
    assert stack.redis_client().get(_failures_key(f"user:{therapist.user_id}")) is None


def test_a_success_resets_the_count_of_consecutive_failures(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.a)
    key = _failures_key(f"user:{officer.user_id}")
    for _ in range(3):
        wrong = pb.LoginRequest(username=officer.username, password="not it")
        _refusal(lambda w=wrong: stub.Login(w, metadata=_client()))
    counted = int(stack.redis_client().get(key) or 0)

    stub.Login(pb.LoginRequest(username=officer.username, password=PASSWORD), metadata=_client())

    assert counted == 3
    assert stack.redis_client().get(key) is None
