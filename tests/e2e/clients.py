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


def admin_token(identity_target: str) -> str:
    """The bootstrapped system admin's access token (first sign-in: password, then TOTP set-up)."""
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
        return str(done.access_token)
