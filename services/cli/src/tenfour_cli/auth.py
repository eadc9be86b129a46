"""Signing in, including both MFA paths: a TOTP code for enrolled accounts, and the first-time
setup (Login -> mfa_setup_ticket -> BeginMfaSetup -> CompleteMfaSetup) for staff without one.

A TOTP code is single-use per 30 s step (identity refuses a step already used). With a secret
the CLI sends the current step's code and, if that is refused, the next step's (identity
accepts one step of drift), so two sign-ins within one step still work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pyotp

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.rpc import call

__all__ = ["SignIn", "sign_in", "totp_codes"]

TOTP_PERIOD = 30

# Given the fresh secret and otpauth URI, returns a first code from it (a prompt, or computed).
SetupHandler = Callable[[idp.EnrolMfaResponse], str]
CodePrompt = Callable[[], str]


@dataclass(frozen=True, slots=True)
class SignIn:
    result: idp.AuthResult
    new_totp_secret: str = ""  # set when this sign-in enrolled TOTP (the setup flow)
    provisioning_uri: str = ""


def totp_codes(secret: str, now: float | None = None) -> list[str]:
    """The code of the current 30 s step, then the next step's."""
    otp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    return [otp.at(moment), otp.at(moment + TOTP_PERIOD)]


def _login(
    identity: identity_pb2_grpc.IdentityServiceStub, username: str, password: str, code: str, timeout: float
) -> idp.AuthResult:
    request = idp.LoginRequest(username=username, password=password, totp_code=code)
    return call(identity.Login, request, timeout=timeout, what="login")


def _first_factor(
    identity: identity_pb2_grpc.IdentityServiceStub,
    username: str,
    password: str,
    totp_code: str,
    totp_secret: str,
    timeout: float,
) -> idp.AuthResult:
    codes = [totp_code] if totp_code else totp_codes(totp_secret) if totp_secret else [""]
    for attempt, code in enumerate(codes):
        try:
            return _login(identity, username, password, code, timeout)
        except CliError as exc:
            if exc.exit is Exit.AUTH and attempt + 1 < len(codes):
                continue  # this step's code was used already: the next step's is accepted too
            raise
    raise AssertionError("unreachable")


def sign_in(
    identity: identity_pb2_grpc.IdentityServiceStub,
    username: str,
    password: str,
    *,
    totp_code: str = "",
    totp_secret: str = "",
    ask_code: CodePrompt | None = None,
    on_setup: SetupHandler | None = None,
    timeout: float = 10.0,
    wait_for_fresh_code: bool = False,
) -> SignIn:
    try:
        result = _first_factor(identity, username, password, totp_code, totp_secret, timeout)
    except CliError as exc:
        if not (wait_for_fresh_code and totp_secret and exc.exit is Exit.AUTH):
            raise
        # Both codes refused: either a wrong password, or this and the next step were used by
        # sign-ins moments ago. Only the password is checked here; if it is right, wait for a
        # step nobody used yet (at most 30 s).
        if not _login(identity, username, password, "", timeout).mfa_required:
            raise
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.5)
        result = _first_factor(identity, username, password, "", totp_secret, timeout)
    if result.mfa_required:
        if ask_code is None:
            raise CliError(
                "this account needs a TOTP code", Exit.AUTH, hint="pass --totp CODE or --totp-secret SECRET"
            )
        result = _login(identity, username, password, ask_code(), timeout)
    if result.mfa_setup_required:
        if on_setup is None:
            raise CliError(
                "this account must set up MFA (TOTP) before it can sign in",
                Exit.PRECONDITION,
                hint="run `tenfour login` in a terminal, or add --auto-mfa-setup to enrol a new secret "
                "and print it",
            )
        ticket = result.mfa_setup_ticket
        enrolment = call(
            identity.BeginMfaSetup,
            idp.BeginMfaSetupRequest(mfa_setup_ticket=ticket),
            timeout=timeout,
            what="MFA setup",
        )
        code = on_setup(enrolment)
        result = call(
            identity.CompleteMfaSetup,
            idp.CompleteMfaSetupRequest(mfa_setup_ticket=ticket, totp_code=code),
            timeout=timeout,
            what="MFA setup",
        )
        return SignIn(result, enrolment.secret, enrolment.provisioning_uri)
    return SignIn(result)
