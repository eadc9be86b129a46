"""Agency enrolment codes: how an officer joins anonymously (the Cordico model).

A code is 16 Crockford base32 symbols (80 bits) shown as XXXX-XXXX-XXXX-XXXX: read aloud at a
roll call or typed on a phone without confusing 0/O or 1/I/L. Only an HMAC of the code is
stored, keyed by a server-side pepper, so a database leak reveals no usable code. Redemption is
a pure state transition; the adapter applies it atomically (check and increment in one step).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, Field, model_validator

from tenfour_identity.domain.errors import Refused, ValidationFailed
from tenfour_identity.domain.fields import Identifier, Label
from tenfour_identity.domain.roles import ENROLABLE_ROLES
from tenfour_identity.domain.validation import DomainModel, build, evolve, fields_invalid
from tenfour_shared.auth.roles import Role

__all__ = [
    "ALPHABET",
    "CODE_REFUSED_MESSAGE",
    "MAX_CODE_LIFETIME",
    "MAX_CODE_USES",
    "EnrolmentCode",
    "Refusal",
    "code_refused",
    "generate_code",
    "hash_code",
    "issue_code",
    "normalise_code",
    "redeem",
    "refusal",
    "revoke",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_GROUPS, _GROUP_LEN = 4, 4
_CODE_LEN = _GROUPS * _GROUP_LEN
# Crockford decoding: look-alikes are read as the digit they resemble.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_MIN_PEPPER_BYTES = 32

MAX_CODE_USES = 10_000  # an agency-wide code for a large department
MAX_CODE_LIFETIME = timedelta(days=366)
# One message for unknown, expired, used-up and revoked codes: the difference would be an oracle.
CODE_REFUSED_MESSAGE = "enrolment code is invalid or expired"


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    REVOKED = "revoked"


class EnrolmentCode(DomainModel):
    id: Identifier
    agency_id: Identifier
    role: Role = Role.OFFICER
    code_hash: str = Field(pattern=r"^[0-9a-f]{64}$", repr=False)
    max_uses: int = Field(ge=1, le=MAX_CODE_USES)  # 1 = single-use
    uses: int = Field(default=0, ge=0)
    created_by: Identifier
    created_at: AwareDatetime
    expires_at: AwareDatetime
    revoked_at: AwareDatetime | None = None
    label: Label = ""  # e.g. "Night shift roll call" — for the coordinator, never shown to officers

    @model_validator(mode="after")
    def _consistent(self) -> EnrolmentCode:
        problems: list[tuple[str, str]] = []
        if self.role not in ENROLABLE_ROLES:
            problems.append(("role", "enrolment codes may only grant officer or peer_supporter"))
        if self.uses > self.max_uses:
            problems.append(("uses", "must not exceed max_uses"))
        if self.expires_at <= self.created_at:
            problems.append(("expires_at", "must be after created_at"))
        elif self.expires_at - self.created_at > MAX_CODE_LIFETIME:
            problems.append(("expires_at", "must be within a year of creation"))
        if problems:
            raise fields_invalid(problems)
        return self


def generate_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(_CODE_LEN))
    return "-".join(symbols[i : i + _GROUP_LEN] for i in range(0, _CODE_LEN, _GROUP_LEN))


def normalise_code(text: str) -> str:
    """Canonical form of a typed code: case, spaces, dashes and look-alike letters forgiven."""
    compact = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_ALIASES)
    if len(compact) != _CODE_LEN or any(ch not in ALPHABET for ch in compact):
        raise ValidationFailed([("code", "must be 16 characters such as 7K3Q-9M2X-4HPR-ZT8W")])
    return "-".join(compact[i : i + _GROUP_LEN] for i in range(0, _CODE_LEN, _GROUP_LEN))


def hash_code(code: str, pepper: bytes) -> str:
    """HMAC-SHA256 of the normalised code: deterministic, so the store can look codes up by it."""
    if len(pepper) < _MIN_PEPPER_BYTES:
        raise ValueError(f"pepper must have at least {_MIN_PEPPER_BYTES} bytes")
    return hmac.new(pepper, normalise_code(code).encode("ascii"), hashlib.sha256).hexdigest()


def issue_code(
    *,
    code_id: str,
    agency_id: str,
    created_by: str,
    now: datetime,
    expires_at: datetime,
    pepper: bytes,
    max_uses: int = 1,
    role: Role = Role.OFFICER,
    label: str = "",
) -> tuple[str, EnrolmentCode]:
    """A new code: the plaintext (show it once, never store it) and the record to store."""
    code = generate_code()
    record = build(
        EnrolmentCode,
        id=code_id,
        agency_id=agency_id,
        role=role,
        code_hash=hash_code(code, pepper),
        max_uses=max_uses,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
        label=label,
    )
    return code, record


def refusal(code: EnrolmentCode | None, now: datetime) -> Refusal | None:
    """Why `code` cannot be redeemed at `now` (None: it can)."""
    if code is None:
        return Refusal.UNKNOWN
    if code.revoked_at is not None:
        return Refusal.REVOKED
    if now >= code.expires_at:
        return Refusal.EXPIRED
    if code.uses >= code.max_uses:
        return Refusal.EXHAUSTED
    return None


def code_refused(reason: Refusal) -> Refused:
    return Refused(CODE_REFUSED_MESSAGE, reason=reason.value)


def redeem(code: EnrolmentCode | None, now: datetime) -> EnrolmentCode:
    """The code with one more use; raises the same Refused for every refusal."""
    reason = refusal(code, now)
    if reason is not None or code is None:
        raise code_refused(reason or Refusal.UNKNOWN)
    return evolve(code, uses=code.uses + 1)


def revoke(code: EnrolmentCode, now: datetime) -> EnrolmentCode:
    return code if code.revoked_at is not None else evolve(code, revoked_at=now)
