"""What the use cases read and write through their ports (service/ports.py): audit entries,
stored profiles, user creations and changes, throttle counters and signing-key facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_identity.domain.models import User
from tenfour_identity.domain.provider import ProviderProfile
from tenfour_identity.domain.refresh import RotationOutcome
from tenfour_identity.domain.throttle import ThrottlePolicy

__all__ = [
    "Attempt",
    "AuditEntry",
    "AuditRecord",
    "Change",
    "Counter",
    "KeyInfo",
    "NewUser",
    "Pending",
    "Rotation",
    "StartedSession",
    "StoredProfile",
]

_MAX_DETAIL = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    kind: str  # login_ok, login_failed, mfa_enabled, token_reuse, deactivated, role_changed...
    user_id: str = ""
    agency_id: str = ""
    detail: str = ""  # short, machine-readable: "reason=admin", "role=peer_supporter"

    def fields(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "user": self.user_id,
            "agency": self.agency_id,
            "detail": self.detail[:_MAX_DETAIL],
        }

    def script_args(self) -> list[str]:
        """ARGV quadruple for `audit_add` inside a Lua script (see AUDIT_PRELUDE)."""
        f = self.fields()
        return [f["kind"], f["user"], f["agency"], f["detail"]]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: str
    time: datetime
    entry: AuditEntry


@dataclass(frozen=True, slots=True)
class StoredProfile:
    profile: ProviderProfile
    version: int


@dataclass(frozen=True, slots=True)
class NewUser:
    user: User
    password_hash: str
    profile: ProviderProfile | None = None  # providers start with version 1
    events: Sequence[Envelope] = ()
    audit: Sequence[AuditEntry] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """What a decision inside `change_user` writes; empty means "nothing to do"."""

    user: User | None = None
    profile: StoredProfile | None = None
    events: Sequence[Envelope] = ()
    audit: Sequence[AuditEntry] = ()

    @property
    def empty(self) -> bool:
        return self.user is None and self.profile is None and not self.events and not self.audit


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    policy: ThrottlePolicy


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    created_at: float
    activates_at: float
    retires_at: float | None  # None: may still become or be the current key


class Pending:
    def __init__(self, secret: str, sealed: str) -> None:
        self.secret = secret
        self.sealed = sealed

    def __repr__(self) -> str:
        return "Pending(<sealed>)"


@dataclass(frozen=True, slots=True)
class StartedSession:
    family_id: str  # the `sid` claim of the access tokens issued with it
    refresh_token: str


@dataclass(frozen=True, slots=True)
class Rotation:
    outcome: RotationOutcome | None  # None: unknown or malformed token
    user_id: str = ""
    family_id: str = ""
    refresh_token: str = ""  # the new token, when ROTATED


@dataclass(frozen=True, slots=True)
class Attempt:
    allowed: bool
    retry_after: timedelta
    locked: bool  # the delay reached the policy's cap (worth an audit entry)
