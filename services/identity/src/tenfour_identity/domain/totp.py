"""TOTP second factor (RFC 6238): 6 digits, 30 s steps, one step of clock drift either way.

Verification returns the matched time step; storage keeps the last accepted step and passes it
back, and any code from that step or an earlier one is refused. That makes a code single-use
(RFC 6238 §5.2) and stops a shoulder-surfed code from being replayed within its window.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

__all__ = ["TOTP_DIGITS", "TOTP_PERIOD", "new_totp_secret", "provisioning_uri", "time_step", "verify_totp"]

TOTP_DIGITS = 6
TOTP_PERIOD = 30  # seconds; what every authenticator app assumes
_DRIFT_STEPS = 1
_SECRET_CHARS = 32  # base32: 160 bits, the shared-secret length RFC 4226 recommends


def new_totp_secret() -> str:
    return pyotp.random_base32(length=_SECRET_CHARS)


def provisioning_uri(secret: str, *, account_name: str, issuer: str = "Tenfour") -> str:
    """The otpauth:// URI for the enrolment QR code. Use the username, never an email, for officers."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=account_name, issuer_name=issuer
    )


def time_step(now: datetime) -> int:
    if now.tzinfo is None:
        raise ValueError("naive datetime")
    return int(now.timestamp()) // TOTP_PERIOD


def code_shaped(code: str) -> bool:
    """Six digits (spaces allowed): anything else cannot be a guess, so it is not counted as one."""
    candidate = "".join(code.split())
    return len(candidate) == TOTP_DIGITS and candidate.isascii() and candidate.isdigit()


def verify_totp(secret: str, code: str, *, now: datetime, last_used_step: int | None) -> int | None:
    """The time step `code` belongs to if it is valid and unused, else None. Store the result."""
    if not code_shaped(code):
        return None
    candidate = "".join(code.split())
    otp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = time_step(now)
    accepted: int | None = None
    # Compare against every step in the window, without stopping early, in constant time.
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        matches = hmac.compare_digest(otp.generate_otp(step), candidate)
        fresh = last_used_step is None or step > last_used_step
        if matches and fresh and accepted is None:
            accepted = step
    return accepted
