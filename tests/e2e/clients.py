"""Helpers the cross-service tests share: raw calls, statuses, a signed-in system admin."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pyotp

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc

ADMIN_USERNAME = "root-operator"
ADMIN_PASSWORD = "correct staple horse battery 42"
ADMIN_ENV = {
    "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
    "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
}

Metadata = tuple[tuple[str, str], ...]


def raw_unary(
    channel: grpc.Channel, method: str, body: bytes, metadata: Metadata = (), timeout: float = 10
) -> bytes:
    """Call `method` with `body` as the exact bytes on the wire; the reply undecoded."""
    call = channel.unary_unary(method)
    reply: bytes = call(body, metadata=metadata, timeout=timeout)
    return reply


def raw_stream(
    channel: grpc.Channel, method: str, bodies: list[bytes], metadata: Metadata = (), timeout: float = 10
) -> Iterator[bytes]:
    call = channel.stream_stream(method)
    replies: Iterator[bytes] = call(iter(bodies), metadata=metadata, timeout=timeout)
    return replies


def admin_session(identity_target: str) -> tuple[pb.AuthResult, str]:
    """The bootstrapped system admin's first sign-in (password, then TOTP set-up): tokens and TOTP secret."""
    with grpc.insecure_channel(identity_target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        first = stub.Login(pb.LoginRequest(username=ADMIN_USERNAME, password=ADMIN_PASSWORD), timeout=10)
        setup = stub.BeginMfaSetup(
            pb.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket), timeout=10
        )
        done = stub.CompleteMfaSetup(
            pb.CompleteMfaSetupRequest(
                mfa_setup_ticket=first.mfa_setup_ticket,
                totp_code=pyotp.TOTP(setup.secret).at(int(time.time())),
            ),
            timeout=10,
        )
        return done, str(setup.secret)


def admin_token(identity_target: str) -> str:
    """The bootstrapped system admin's access token (first sign-in: password, then TOTP set-up)."""
    return str(admin_session(identity_target)[0].access_token)


def admin_login(identity_target: str, totp_secret: str) -> pb.AuthResult:
    """A new sign-in of the admin once TOTP is set up (password and a current code)."""
    with grpc.insecure_channel(identity_target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        result: pb.AuthResult = stub.Login(
            pb.LoginRequest(
                username=ADMIN_USERNAME,
                password=ADMIN_PASSWORD,
                totp_code=pyotp.TOTP(totp_secret).now(),
            ),
            timeout=10,
        )
        return result


def refreshed_session(identity_target: str, refresh_token: str) -> pb.AuthResult:
    """A new access token for a session (the refresh token rotates)."""
    with grpc.insecure_channel(identity_target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        result: pb.AuthResult = stub.Refresh(pb.RefreshRequest(refresh_token=refresh_token), timeout=10)
        return result


class OfficerSessions:
    """Real officer sign-ins through identity, for callers whose tokens identity itself must know
    (its own RPCs check the session, so a test-signed token is refused there)."""

    def __init__(self, identity_target: str, admin_access: str) -> None:
        self._target = identity_target
        with grpc.insecure_channel(identity_target) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            meta = (("authorization", f"Bearer {admin_access}"),)
            agency = stub.CreateAgency(
                pb.CreateAgencyRequest(name="Fuzz County PD", timezone="America/Chicago"),
                metadata=meta,
                timeout=10,
            )
            code = stub.CreateEnrolmentCode(
                pb.CreateEnrolmentCodeRequest(agency_id=agency.agency_id, max_redemptions=1000),
                metadata=meta,
                timeout=10,
            )
        self._code = code.code
        self._enrolled = 0

    def enrol(self) -> pb.AuthResult:
        """A new officer (a fuzzed Logout or password change may have ended the last one's session)."""
        self._enrolled += 1
        with grpc.insecure_channel(self._target) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            result: pb.AuthResult = stub.RedeemEnrolmentCode(
                pb.RedeemEnrolmentCodeRequest(
                    code=self._code,
                    username=f"fuzz-officer-{self._enrolled}-{int(time.time())}",
                    display_name="Fuzz",
                    password="Quartz-Meadow-Lantern-8831",
                ),
                timeout=10,
            )
            return result
