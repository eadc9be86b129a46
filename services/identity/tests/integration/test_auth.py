"""Signing in and out: MFA enrolment, throttling, no user enumeration, logout, deactivation."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from tenfour.common.v1 import common_pb2
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_shared.rpc_status import retry_delay

from .conftest import PASSWORD, Account, Metadata, Stack, therapist_profile, totp_code, unique


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def _client(tag: str = "") -> Metadata:
    return (("x-tenfour-client", tag or unique("device-")),)


def test_staff_first_sign_in_enrols_totp(stack: Stack) -> None:
    stub = stack.api.stub
    name = unique("coord")
    stub.CreateAgencyAdmin(
        pb.CreateAgencyAdminRequest(
            agency_id=stack.a.id,
            email=f"{name}@pd.example.gov",
            display_name="Sam",
            password=PASSWORD,
            username=name,
        ),
        metadata=stack.root.md,
    )
    first = stub.Login(
        pb.LoginRequest(username=f"{name}@PD.example.GOV", password=PASSWORD)
    )  # e-mail works too
    assert first.mfa_setup_required
    assert first.mfa_setup_ticket
    assert not first.access_token
    assert not first.refresh_token
    assert not first.user.user_id

    enrolment = stub.BeginMfaSetup(pb.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket))
    assert enrolment.provisioning_uri.startswith("otpauth://totp/Tenfour:")
    assert name in enrolment.provisioning_uri
    assert "@" not in enrolment.provisioning_uri
    wrong = pb.CompleteMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket, totp_code="000000")
    assert _code(lambda: stub.CompleteMfaSetup(wrong)) == grpc.StatusCode.INVALID_ARGUMENT
    code = totp_code(enrolment.secret)
    done = stub.CompleteMfaSetup(
        pb.CompleteMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket, totp_code=code)
    )
    assert done.access_token
    assert done.user.role == common_pb2.ROLE_AGENCY_ADMIN
    assert done.user.mfa_enabled
    again = pb.CompleteMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket, totp_code=code)
    assert _code(lambda: stub.CompleteMfaSetup(again)) == grpc.StatusCode.UNAUTHENTICATED  # single use

    second = stub.Login(pb.LoginRequest(username=name, password=PASSWORD))
    assert second.mfa_required
    assert not second.access_token
    replay = pb.LoginRequest(username=name, password=PASSWORD, totp_code=code)
    assert _code(lambda: stub.Login(replay)) == grpc.StatusCode.UNAUTHENTICATED  # that step was used
    signed_in = stub.Login(
        pb.LoginRequest(username=name, password=PASSWORD, totp_code=totp_code(enrolment.secret, 1))
    )
    assert signed_in.access_token
    me = stub.GetMe(pb.GetMeRequest(), metadata=(("authorization", f"Bearer {signed_in.access_token}"),))
    assert me.mfa_enabled
    assert me.email == f"{name}@pd.example.gov"


def test_bootstrapped_admin_has_mfa_and_is_alone(stack: Stack) -> None:
    me = stack.api.stub.GetMe(pb.GetMeRequest(), metadata=stack.root.md)
    assert me.role == common_pb2.ROLE_SYSTEM_ADMIN
    assert me.mfa_enabled
    assert not me.agency_id
    assert stack.redis_client().scard("identity:system-admins:{dir}") == 1


def test_officers_may_add_totp(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.b)
    enrolment = stub.EnrolMfa(pb.EnrolMfaRequest(), metadata=officer.md)
    assert officer.username in enrolment.provisioning_uri
    # Typos (not six digits) are refused without using up one of the five wrong-code attempts.
    fullwidth = "\uff11\uff12\uff13\uff14\uff15\uff16"  # digits, but not ASCII ones
    for typo in ("12345", "", "12a456", "1234567", fullwidth, "12345"):
        bad = pb.ConfirmMfaRequest(totp_code=typo)
        assert (
            _code(lambda b=bad: stub.ConfirmMfa(b, metadata=officer.md)) == grpc.StatusCode.INVALID_ARGUMENT
        )
    assert stub.ConfirmMfa(
        pb.ConfirmMfaRequest(totp_code=totp_code(enrolment.secret)), metadata=officer.md
    ).enabled
    assert stub.GetMe(pb.GetMeRequest(), metadata=officer.md).mfa_enabled
    assert (
        _code(lambda: stub.EnrolMfa(pb.EnrolMfaRequest(), metadata=officer.md))
        == grpc.StatusCode.FAILED_PRECONDITION
    )
    assert stub.Login(pb.LoginRequest(username=officer.username, password=PASSWORD)).mfa_required


def test_unknown_user_and_wrong_password_look_the_same(stack: Stack) -> None:
    stub = stack.api.stub

    def attempt(username: str) -> tuple[grpc.StatusCode, str, float]:
        started = time.perf_counter()
        try:
            stub.Login(pb.LoginRequest(username=username, password="not the password"), metadata=_client())
        except grpc.RpcError as exc:
            return exc.code(), exc.details(), time.perf_counter() - started
        raise AssertionError("login succeeded")

    officer = stack.officer(stack.a)  # its own account: five failures stay under the free ones
    known, unknown = [], []
    for _ in range(5):  # interleaved, so a busy host slows both alike
        known.append(attempt(officer.username))
        unknown.append(attempt(unique("nobody")))
    assert (
        {(c, d) for c, d, _ in known}
        == {(c, d) for c, d, _ in unknown}
        == {(grpc.StatusCode.UNAUTHENTICATED, "invalid credentials")}
    )
    ratio = statistics.median(t for *_, t in unknown) / statistics.median(t for *_, t in known)
    assert 0.5 < ratio < 2.0, ratio  # both pay for one Argon2id verification


def test_account_throttle_backs_off_without_revealing_the_password(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.a)
    for name in (officer.username, unique("ghost")):  # unknown accounts are throttled alike
        results = [
            _code(
                lambda n=name: stub.Login(
                    pb.LoginRequest(username=n, password="wrong guess"), metadata=_client()
                )
            )
            for _ in range(7)
        ]
        assert results == [grpc.StatusCode.UNAUTHENTICATED] * 6 + [grpc.StatusCode.RESOURCE_EXHAUSTED]
    # The right password during the wait is refused, with the wait in words and as RetryInfo,
    # and every refused attempt makes the wait longer (a burst never ends 2 s after the last).
    right = pb.LoginRequest(username=officer.username, password=PASSWORD)
    waits = []
    for _ in range(4):
        with pytest.raises(grpc.RpcError) as caught:
            stub.Login(right, metadata=_client())
        assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "retry in" in caught.value.details()
        waits.append(retry_delay(caught.value) or 0.0)
    assert waits == sorted(waits), waits
    assert waits[-1] > waits[0] >= 2, waits
    audit = stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=1000), metadata=stack.root.md).events
    failures = [e for e in audit if e.kind == "login_failed" and e.user_id == officer.user_id]
    assert len(failures) == 6
    assert all(e.detail.startswith("src=") for e in failures)


def test_source_throttle_stops_password_spraying(stack: Stack) -> None:
    stub = stack.api.stub
    source = _client()
    sprayed = [
        _code(
            lambda: stub.Login(
                pb.LoginRequest(username=unique("target"), password="Spring2026!"), metadata=source
            )
        )
        for _ in range(22)
    ]
    assert sprayed == [grpc.StatusCode.UNAUTHENTICATED] * 21 + [grpc.StatusCode.RESOURCE_EXHAUSTED]
    good = pb.LoginRequest(username=stack.b.officer.username, password=PASSWORD)
    waits = []
    for _ in range(3):
        with pytest.raises(grpc.RpcError) as caught:
            stub.Login(good, metadata=source)
        assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        waits.append(retry_delay(caught.value) or 0.0)
    assert waits == sorted(waits), waits
    assert waits[-1] > waits[0] > 0, waits
    assert (
        _code(lambda: stub.Login(good, metadata=_client())) == grpc.StatusCode.OK
    )  # other sources unaffected


def test_successful_logins_do_not_count_against_a_shared_station(stack: Stack) -> None:
    station = _client("station-pc-" + unique(""))
    for _ in range(25):
        stack.api.stub.Login(
            pb.LoginRequest(username=stack.b.officer.username, password=PASSWORD), metadata=station
        )


def test_logout_ends_the_session(stack: Stack) -> None:
    stub = stack.api.stub
    session = stub.Login(pb.LoginRequest(username=stack.a.officer.username, password=PASSWORD))
    md = (("authorization", f"Bearer {session.access_token}"),)
    assert stub.GetMe(pb.GetMeRequest(), metadata=md).user_id == stack.a.officer.user_id
    stub.Logout(pb.LogoutRequest(refresh_token=session.refresh_token))
    stub.Logout(pb.LogoutRequest(refresh_token=session.refresh_token))  # idempotent
    stub.Logout(pb.LogoutRequest(refresh_token="rt_unknown"))  # nothing to learn from it
    assert _code(lambda: stub.Refresh(pb.RefreshRequest(refresh_token=session.refresh_token))) == (
        grpc.StatusCode.UNAUTHENTICATED
    )
    assert _code(lambda: stub.GetMe(pb.GetMeRequest(), metadata=md)) == grpc.StatusCode.UNAUTHENTICATED
    assert stub.GetMe(pb.GetMeRequest(), metadata=stack.a.officer.md)  # other sessions live on


def test_deactivation_revokes_sessions(stack: Stack) -> None:
    stub = stack.api.stub
    officer: Account = stack.officer(stack.a)
    reply = stub.DeactivateUser(pb.DeactivateUserRequest(user_id=officer.user_id), metadata=stack.a.admin.md)
    assert not reply.active
    assert reply.user_id == officer.user_id
    assert not reply.username
    assert not reply.display_name
    again = stub.DeactivateUser(pb.DeactivateUserRequest(user_id=officer.user_id), metadata=stack.a.admin.md)
    assert not again.active
    login = pb.LoginRequest(username=officer.username, password=PASSWORD)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Login(login, metadata=_client())
    assert (caught.value.code(), caught.value.details()) == (
        grpc.StatusCode.UNAUTHENTICATED,
        "invalid credentials",
    )
    refresh = pb.RefreshRequest(refresh_token=officer.refresh)
    assert _code(lambda: stub.Refresh(refresh)) == grpc.StatusCode.UNAUTHENTICATED
    assert (
        _code(lambda: stub.GetMe(pb.GetMeRequest(), metadata=officer.md)) == grpc.StatusCode.UNAUTHENTICATED
    )


def test_officers_may_leave_and_operators_may_not_lock_themselves_out(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.b)
    stub.DeactivateUser(pb.DeactivateUserRequest(user_id=officer.user_id), metadata=officer.md)
    audit = stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=1000), metadata=stack.root.md).events
    assert any(
        e.kind == "deactivated" and e.user_id == officer.user_id and "reason=self" in e.detail for e in audit
    )
    own = pb.DeactivateUserRequest(user_id=stack.root.user_id)
    assert (
        _code(lambda: stub.DeactivateUser(own, metadata=stack.root.md)) == grpc.StatusCode.FAILED_PRECONDITION
    )


def test_a_role_change_needs_a_fresh_token(stack: Stack) -> None:
    stub = stack.api.stub
    officer = stack.officer(stack.a)
    peer = stack.api.nominate(stack.a.admin, officer)
    assert (
        _code(lambda: stub.GetMe(pb.GetMeRequest(), metadata=officer.md)) == grpc.StatusCode.UNAUTHENTICATED
    )
    assert stub.GetMe(pb.GetMeRequest(), metadata=peer.md).role == common_pb2.ROLE_PEER_SUPPORTER


def test_audit_log_pages(stack: Stack) -> None:
    stub = stack.api.stub
    first = stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=3), metadata=stack.root.md).events
    assert len(first) == 3
    after = pb.ListAuditEventsRequest(limit=3, after_id=first[-1].id)
    following = stub.ListAuditEvents(after, metadata=stack.root.md).events
    assert following
    assert following[0].id > first[-1].id
    assert first[0].kind == "user_registered"  # the bootstrapped admin


def test_a_setup_ticket_dies_after_five_wrong_codes(stack: Stack) -> None:
    stub = stack.api.stub
    name = unique("drq")
    stub.OnboardTherapist(
        pb.OnboardTherapistRequest(
            email=f"{name}@clinic.example.com",
            display_name="Dr. Q",
            password=PASSWORD,
            username=name,
            profile=therapist_profile(),
        ),
        metadata=stack.root.md,
    )
    ticket = stub.Login(pb.LoginRequest(username=name, password=PASSWORD)).mfa_setup_ticket
    stub.BeginMfaSetup(pb.BeginMfaSetupRequest(mfa_setup_ticket=ticket))
    wrong = pb.CompleteMfaSetupRequest(mfa_setup_ticket=ticket, totp_code="000000")
    codes = [_code(lambda: stub.CompleteMfaSetup(wrong)) for _ in range(6)]
    assert codes == [grpc.StatusCode.INVALID_ARGUMENT] * 5 + [grpc.StatusCode.UNAUTHENTICATED]
    begin = pb.BeginMfaSetupRequest(mfa_setup_ticket=ticket)
    assert _code(lambda: stub.BeginMfaSetup(begin)) == grpc.StatusCode.UNAUTHENTICATED
