"""Accounts: staff creation, one's own account (GetMe, contact channel), deactivation."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from tenfour_identity.domain.errors import NotAllowed, NotFound, ValidationFailed, WrongState
from tenfour_identity.domain.fields import ContactChannel, DisplayName, Email, Username
from tenfour_identity.domain.models import User
from tenfour_identity.domain.password_policy import ensure_acceptable_password
from tenfour_identity.domain.provider import ProviderProfile
from tenfour_identity.domain.records import AuditEntry, Change, NewUser, StoredProfile
from tenfour_identity.domain.refresh import RevocationReason
from tenfour_identity.domain.roles import can_manage_user
from tenfour_identity.domain.validation import build, evolve, parse
from tenfour_identity.service import events
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.errors import Form
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

__all__ = [
    "Me",
    "StaffFields",
    "StaffInput",
    "create_staff",
    "deactivate_user",
    "get_me",
    "new_id",
    "set_contact_channel",
    "validate_staff",
]

_REASON = re.compile(r"[a-z_]{1,32}")


def new_id(prefix: str) -> str:
    """An opaque, unguessable id (80 random bits) that says nothing about its holder."""
    return f"{prefix}-{secrets.token_hex(10)}"


@dataclass(frozen=True, slots=True)
class StaffFields:
    email: str
    display_name: str
    username: str


@dataclass(frozen=True, slots=True)
class StaffInput:
    email: str
    display_name: str
    password: str
    username: str = ""  # derived from the e-mail address when empty

    def __repr__(self) -> str:
        return f"StaffInput(email=<{len(self.email)} chars>, password=<hidden>)"


def derive_username(email: str) -> str:
    """`Dr.Kim+work@clinic.example` → `dr.kim.work`: a readable default staff can override."""
    local = email.rpartition("@")[0].lower()
    name = re.sub(r"[^a-z0-9._-]+", ".", local).strip("._-")
    name = re.sub(r"^[^a-z]+", "", name)[:32].rstrip("._-")
    return name


def validate_staff(form: Form, staff: StaffInput) -> StaffFields | None:
    """Check a staff member's fields and password (violations go to `form`)."""
    email = form.value(lambda: str(parse(Email, staff.email, "email")))
    display_name = form.value(lambda: str(parse(DisplayName, staff.display_name, "display_name")))
    username: str | None = None
    if staff.username:
        username = form.value(lambda: str(parse(Username, staff.username, "username")))
    elif email is not None:
        try:
            username = str(parse(Username, derive_username(email), "username"))
        except ValidationFailed:
            form.add("username", "cannot be derived from the e-mail address: choose one")
    form.value(
        lambda: ensure_acceptable_password(
            staff.password, display_name=staff.display_name, username=username or staff.username
        )
    )
    if email is None or display_name is None or username is None:
        return None
    return StaffFields(email, display_name, username)


async def create_staff(
    deps: Deps,
    *,
    staff: StaffFields,
    password: str,
    role: Role,
    agency_id: str | None,
    created_by: str,
    profile: ProviderProfile | None = None,
    user_id: str = "",
    only_if_no_system_admin: bool = False,
) -> User | None:
    """Hash, store and announce a staff account (None: a system admin already existed)."""
    now = deps.now()
    user = build(
        User,
        id=user_id or new_id("u"),
        username=staff.username,
        display_name=staff.display_name,
        role=role,
        agency_id=agency_id,
        email=staff.email,
        created_at=now,
    )
    password_hash = await deps.passwords.hash(password)
    envelopes = [events.user_registered(user, now)]
    if profile is not None:
        envelopes.append(events.profile_updated(user, StoredProfile(profile, 1), now))
    entry = AuditEntry("user_registered", user.id, agency_id or "", f"role={role.value} by={created_by}")
    created = await deps.directory.create_user(
        NewUser(user, password_hash, profile, envelopes, [entry]),
        only_if_no_system_admin=only_if_no_system_admin,
    )
    return user if created else None


@dataclass(frozen=True, slots=True)
class Me:
    user: User
    mfa_enabled: bool
    contact_channel: str

    def __repr__(self) -> str:
        return f"Me(user_id={self.user.id!r}, contact=<hidden>)"


async def get_me(deps: Deps, principal: Principal) -> Me:
    user = await caller(deps, principal)
    creds = await deps.directory.get_credentials(user.id)
    contact = await deps.directory.get_contact(user.id)
    return Me(user, creds is not None and creds.totp_secret is not None, contact)


async def set_contact_channel(deps: Deps, principal: Principal, contact: str) -> None:
    user = await caller(deps, principal)
    value = str(parse(ContactChannel, contact, "contact")) if contact.strip() else None
    kind = "contact_cleared" if value is None else "contact_set"
    await deps.directory.set_contact(user.id, value, AuditEntry(kind, user.id, user.agency_id or ""))


async def deactivate_user(deps: Deps, principal: Principal, user_id: str, reason_code: str) -> User:
    actor = await caller(deps, principal)
    itself = user_id == actor.id
    reason = reason_code or ("self" if itself else "admin")
    if not _REASON.fullmatch(reason):
        raise ValidationFailed([("reason_code", "must be 1-32 characters of a-z and '_'")])
    if not user_id:
        raise ValidationFailed([("user_id", "is required")])
    now = deps.now()

    def decide(user: User, profile: StoredProfile | None) -> Change:
        if itself:
            if user.role is Role.SYSTEM_ADMIN:
                raise WrongState("a system admin cannot deactivate their own account")
        elif not can_manage_user(principal, user.role, user.agency_id):
            raise NotAllowed("no such user in your scope")
        if user.disabled:
            return Change()  # already done: no second event
        disabled = evolve(user, disabled=True)
        envelopes = [events.user_deactivated(disabled, reason, now)]
        new_profile = None
        if profile is not None:  # scheduling stops offering the provider at once
            new_profile = StoredProfile(profile.profile, profile.version + 1)
            envelopes.append(events.profile_updated(disabled, new_profile, now))
        detail = f"reason={reason} by={actor.id}"
        entry = AuditEntry("deactivated", user.id, user.agency_id or "", detail)
        return Change(user=disabled, profile=new_profile, events=envelopes, audit=[entry])

    try:
        user, _ = await deps.directory.change_user(user_id, decide)
    except NotFound:
        if principal.role is Role.SYSTEM_ADMIN:
            raise
        raise NotAllowed("no such user in your scope") from None
    await deps.sessions.revoke_all(user.id, now, RevocationReason.ADMIN)
    return user
