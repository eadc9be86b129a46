"""Exit codes that tell a script what failed, and the error every command raises to end with one."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

import grpc

from tenfour_cli.fields import field_words
from tenfour_cli.reasons import plain_message, plain_refusal
from tenfour_shared.rpc_status import field_violations, retry_delay

__all__ = ["CliError", "Exit", "exit_for_status", "from_rpc_error"]


class Exit(IntEnum):
    OK = 0
    FAILED = 1  # anything else: an internal error of a service, a bug, an interrupted command
    USAGE = 2  # wrong command line (argparse's own code)
    AUTH = 3  # not signed in, wrong password or code, token expired, or not allowed
    NOT_FOUND = 4  # no such agency, appointment, provider, ...
    INVALID = 5  # the service refused the input (field violations say which field and why)
    PRECONDITION = 6  # valid input, wrong state: already exists, too early, conflict, MFA setup needed
    UNAVAILABLE = 7  # a service is down, unhealthy, too slow, throttling, or lacks the RPC


_BY_STATUS: dict[grpc.StatusCode, Exit] = {
    grpc.StatusCode.UNAUTHENTICATED: Exit.AUTH,
    grpc.StatusCode.PERMISSION_DENIED: Exit.AUTH,
    grpc.StatusCode.NOT_FOUND: Exit.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT: Exit.INVALID,
    grpc.StatusCode.OUT_OF_RANGE: Exit.INVALID,
    grpc.StatusCode.FAILED_PRECONDITION: Exit.PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS: Exit.PRECONDITION,
    grpc.StatusCode.ABORTED: Exit.PRECONDITION,
    grpc.StatusCode.UNAVAILABLE: Exit.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: Exit.UNAVAILABLE,
    grpc.StatusCode.UNIMPLEMENTED: Exit.UNAVAILABLE,
    grpc.StatusCode.RESOURCE_EXHAUSTED: Exit.UNAVAILABLE,
}


def exit_for_status(code: grpc.StatusCode | None) -> Exit:
    return _BY_STATUS.get(code, Exit.FAILED) if code is not None else Exit.FAILED


@dataclass
class CliError(Exception):
    """Ends the command with `exit` after printing `message` (and the field violations)."""

    message: str
    exit: Exit = Exit.FAILED
    status: str = ""  # the gRPC status name, when a call failed
    violations: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    retry_after: int = 0  # seconds the service asked to wait before trying again (throttling)
    reason_code: str = ""  # the service's code for why (said in words in `message`), for scripts

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"message": self.message, "exit_code": int(self.exit)}
        if self.status:
            out["status"] = self.status
        if self.violations:
            out["violations"] = [
                {"field": f, "label": field_words(f), "description": d} for f, d in self.violations
            ]
        if self.hint:
            out["hint"] = self.hint
        if self.retry_after:
            out["retry_after_seconds"] = self.retry_after
        if self.reason_code:
            out["reason_code"] = self.reason_code
        return out


def from_rpc_error(exc: grpc.RpcError, what: str = "") -> CliError:
    """A failed call as a CliError: the status decides the exit code, details name the fields."""
    code: grpc.StatusCode | None = exc.code() if isinstance(exc, grpc.Call) else None
    details = (exc.details() if isinstance(exc, grpc.Call) else "") or ""
    name = code.name if code is not None else "UNKNOWN"
    try:
        violations = [(v.field, v.description) for v in field_violations(exc)]
    except Exception:  # a status without parseable details is still an error worth showing
        violations = []
    words, reason_code = plain_message(details)
    if not words:
        words, reason_code = plain_refusal(details)
    message = words or details or name.lower().replace("_", " ")
    if violations and code is grpc.StatusCode.INVALID_ARGUMENT:
        # The service's summary repeats the violations by their paths; they are listed in words.
        message = "not accepted, please correct:"
    if what:
        message = f"{what}: {message}"
    hint = ""
    try:
        wait = retry_delay(exc) if isinstance(exc, grpc.Call) else None
    except Exception:
        wait = None
    retry_after = max(1, math.ceil(wait)) if wait is not None else 0
    if code is grpc.StatusCode.RESOURCE_EXHAUSTED and retry_after and what == "login":
        at = (datetime.now().astimezone() + timedelta(seconds=retry_after)).strftime("%H:%M:%S")
        message = f"{what}: too many sign-in attempts: wait {retry_after} s and try again at {at}"
        hint = "trying again before then makes the wait longer"
    elif code is grpc.StatusCode.RESOURCE_EXHAUSTED and retry_after:
        hint = f"try again in {retry_after} s"
    elif code is grpc.StatusCode.FAILED_PRECONDITION and what == "login" and "locked" in details:
        hint = (
            "sign in with your authenticator code (--totp), or ask an administrator: `tenfour users unlock`"
        )
    elif code is grpc.StatusCode.UNAVAILABLE:
        hint = "is the service running? `tenfour health` shows every service"
    elif code is grpc.StatusCode.UNIMPLEMENTED:
        hint = "this service does not offer that call yet"
    elif code is grpc.StatusCode.UNAUTHENTICATED and what != "login":
        hint = "sign in again with `tenfour login`"
    return CliError(message, exit_for_status(code), name, violations, hint, retry_after, reason_code)
