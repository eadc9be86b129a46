"""Agencies, users and their credentials."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, model_validator

from tenfour_identity.domain.fields import (
    AgencyName,
    CrisisLineText,
    DisplayName,
    Email,
    Identifier,
    Jurisdiction,
    TimeZoneName,
    Username,
)
from tenfour_identity.domain.roles import PSEUDONYMOUS_ROLES
from tenfour_identity.domain.validation import DomainModel, fields_invalid
from tenfour_shared.auth.roles import Role, agency_violation

__all__ = ["Agency", "Credentials", "User"]


class Agency(DomainModel):
    id: Identifier
    name: AgencyName
    timezone: TimeZoneName  # default zone for rosters and reminders of its officers
    created_at: AwareDatetime
    active: bool = True
    jurisdiction: Jurisdiction | None = None  # where it operates, e.g. US-TX: licensure to match
    crisis_line_text: CrisisLineText = ""  # shown to its officers next to "talk to someone now"


class User(DomainModel):
    """An account. Holds no secrets, so it can be logged and returned safely."""

    id: Identifier
    username: Username
    display_name: DisplayName
    role: Role
    agency_id: Identifier | None = None
    email: Email | None = None
    created_at: AwareDatetime
    disabled: bool = False

    @model_validator(mode="after")
    def _role_rules(self) -> User:
        problems: list[tuple[str, str]] = []
        if message := agency_violation(self.role, self.agency_id):
            problems.append(("agency_id", message))
        if self.role in PSEUDONYMOUS_ROLES and self.email is not None:
            problems.append(("email", f"role {self.role.value} is pseudonymous and has no email"))
        if self.role not in PSEUDONYMOUS_ROLES and self.email is None:
            problems.append(("email", f"role {self.role.value} requires an email"))
        if problems:
            raise fields_invalid(problems)
        return self


class Credentials(DomainModel):
    """A user's secrets, kept apart from User so they never travel with the profile."""

    user_id: Identifier
    password_hash: str = Field(min_length=1, repr=False)
    totp_secret: str | None = Field(default=None, repr=False)  # encrypted at rest by the adapter
    totp_last_step: int | None = Field(default=None, ge=0)  # replay protection, see totp.py
