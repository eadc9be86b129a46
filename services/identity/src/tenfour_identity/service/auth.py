"""Signing in and out: passwords, throttling, TOTP, sessions and access tokens.

MFA decision: therapists and admins get no token before a second factor. One whose account
has no TOTP yet (a bootstrapped system admin, a freshly onboarded therapist) gets, for a good
password, only a short-lived single-use `mfa_setup_ticket`; BeginMfaSetup / CompleteMfaSetup
enrol the authenticator with it, and CompleteMfaSetup signs them in. No token limited to
"MFA setup" ever exists, so no service has to know such a token kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenfour_identity.domain.errors import (
    AccountLocked,
    TooManyAttempts,
    ValidationFailed,
    WrongCredentials,
    WrongState,
)
from tenfour_identity.domain.models import User
from tenfour_identity.domain.records import AuditEntry, Counter
from tenfour_identity.domain.refresh import RevocationReason, RotationOutcome
from tenfour_identity.domain.roles import MFA_REQUIRED_ROLES
from tenfour_identity.domain.throttle import HARD_LIMIT, is_locked
from tenfour_identity.domain.totp import (
    TOTP_DIGITS,
    code_shaped,
    new_totp_secret,
    provisioning_uri,
    verify_totp,
)
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.tokens import IssuedToken

__all__ = [
    "AuthOutcome",
    "MfaEnrolment",
    "begin_mfa_setup",
    "complete_mfa_setup",
    "confirm_mfa",
    "enrol_mfa",
    "login",
    "logout",
    "refresh",
    "start_session",
]

_MAX_LOGIN_NAME = 254
_MAX_PASSWORD_INPUT = 1024
_WRONG_CODE = "does not match: check the device's clock and enter the current code"


@dataclass(frozen=True, slots=True)
class AuthOutcome:
    user: User | None = None
    access: IssuedToken | None = None
    refresh_token: str = ""
    mfa_required: bool = False
    mfa_setup_ticket: str = ""
    mfa_enabled: bool = False  # of the signed-in user


@dataclass(frozen=True, slots=True)
class MfaEnrolment:
    secret: str
    provisioning_uri: str

    def __repr__(self) -> str:
        return "MfaEnrolment(<secret>)"


def normalise_login_name(text: str) -> str:
    """Usernames are lower-case; e-mail addresses have a case-insensitive domain."""
    name = text.strip()
    if not name:
        raise ValidationFailed([("username", "is required")])
    if len(name) > _MAX_LOGIN_NAME:
        raise ValidationFailed([("username", f"must have at most {_MAX_LOGIN_NAME} characters")])
    local, at, domain = name.rpartition("@")
    return f"{local}@{domain.lower()}" if at else name.lower()


async def start_session(deps: Deps, user: User, via: str, *, mfa_enabled: bool = False) -> AuthOutcome:
    now = deps.now()
    session = await deps.sessions.start(user.id, now)
    access = deps.issuer.issue(
        subject=user.id, role=user.role, agency_id=user.agency_id, session_id=session.family_id
    )
    await deps.audit.append(AuditEntry("login_ok", user.id, user.agency_id or "", f"via={via}"))
    return AuthOutcome(user=user, access=access, refresh_token=session.refresh_token, mfa_enabled=mfa_enabled)


async def _admit(deps: Deps, by_source: Counter, by_account: Counter, now: datetime) -> bool:
    """Charge both throttle counters (source first) or refuse; True if one just hit its cap.

    A refusal is charged as well (the counters grow with every refused sign-in): a source whose
    attempts are refused for one account after another is spraying.
    """
    source = await deps.throttle.attempt(by_source, now)
    if not source.allowed:
        raise TooManyAttempts(source.retry_after)
    account = await deps.throttle.attempt(by_account, now)
    if not account.allowed:
        raise TooManyAttempts(account.retry_after)
    return source.locked or account.locked


async def _count_failure(deps: Deps, subject: str, user_id: str, agency_id: str) -> None:
    if await deps.throttle.add_failure(subject) == HARD_LIMIT:
        await deps.audit.append(AuditEntry("account_locked", user_id, agency_id, f"after={HARD_LIMIT}"))


async def login(deps: Deps, *, username: str, password: str, totp_code: str, source: str) -> AuthOutcome:
    name = normalise_login_name(username)
    if not password:
        raise ValidationFailed([("password", "is required")])
    if len(password) > _MAX_PASSWORD_INPUT:
        raise ValidationFailed([("password", f"must have at most {_MAX_PASSWORD_INPUT} characters")])
    now = deps.now()
    tag = deps.throttle.source_tag(source)
    by_source, by_account = deps.throttle.source(source), deps.throttle.account(name)
    locked = await _admit(deps, by_source, by_account, now)

    user_id = await deps.directory.find_login(name)
    user = await deps.directory.get_user(user_id) if user_id else None
    creds = await deps.directory.get_credentials(user.id) if user else None
    known, agency = (user.id, user.agency_id or "") if user else ("", "")
    # Per person, whichever name they sign in with; unknown names are counted (and locked) alike.
    subject = f"user:{user.id}" if user else f"name:{name}"
    unlocked = False
    if is_locked(await deps.throttle.consecutive_failures(subject)):
        # Only the owner's second factor lifts the hard limit here; the backoff charged above
        # keeps guessing the code as slow as guessing the password.
        if user is None or creds is None or user.disabled or creds.totp_secret is None or not totp_code:
            raise AccountLocked()
        step = verify_totp(creds.totp_secret, totp_code, now=now, last_used_step=creds.totp_last_step)
        if step is None or not await deps.mfa.accept_step(user.id, step):
            await deps.audit.append(AuditEntry("unlock_failed", known, agency, f"src={tag}"))
            raise AccountLocked()
        await deps.throttle.reset_failures(subject)
        await deps.audit.append(AuditEntry("account_unlocked", known, agency, "by=second_factor"))
        unlocked = True

    # Unknown users verify against the hasher's dummy hash: same answer, similar time.
    matched = await deps.passwords.verify(creds.password_hash if creds else None, password)
    if not matched or user is None or creds is None or user.disabled:
        detail = f"src={tag}" + (" locked" if locked else "")
        await deps.audit.append(AuditEntry("login_failed", known, agency, detail))
        await _count_failure(deps, subject, known, agency)
        raise WrongCredentials()
    await deps.throttle.refund(by_source)  # a right password is not a spraying source

    if creds.totp_secret is not None and not unlocked:
        if not totp_code:
            # The account's charge stays until the second factor succeeds, or one could
            # alternate password-only calls with TOTP guesses and never be throttled.
            return AuthOutcome(mfa_required=True)
        step = verify_totp(creds.totp_secret, totp_code, now=now, last_used_step=creds.totp_last_step)
        if step is None or not await deps.mfa.accept_step(user.id, step):
            await deps.audit.append(AuditEntry("mfa_failed", user.id, user.agency_id or "", f"src={tag}"))
            await _count_failure(deps, subject, known, agency)
            raise WrongCredentials()
    await deps.throttle.clear(by_account)
    await deps.throttle.reset_failures(subject)
    if deps.passwords.needs_rehash(creds.password_hash):
        await deps.directory.set_password_hash(user.id, await deps.passwords.hash(password))
    if creds.totp_secret is None and user.role in MFA_REQUIRED_ROLES:
        ticket = await deps.mfa.new_ticket(user.id)
        await deps.audit.append(AuditEntry("mfa_setup_required", user.id, user.agency_id or ""))
        return AuthOutcome(mfa_setup_ticket=ticket)
    with_totp = creds.totp_secret is not None
    return await start_session(
        deps, user, "password+totp" if with_totp else "password", mfa_enabled=with_totp
    )


async def refresh(deps: Deps, refresh_token: str) -> AuthOutcome:
    if not refresh_token:
        raise ValidationFailed([("refresh_token", "is required")])
    now = deps.now()
    rotation = await deps.sessions.rotate(refresh_token, now)
    if rotation.outcome is RotationOutcome.REUSED:
        await deps.audit.append(AuditEntry("token_reuse", rotation.user_id, "", "session revoked"))
    if rotation.outcome is not RotationOutcome.ROTATED:
        raise WrongCredentials("invalid or expired refresh token")
    user = await deps.directory.get_user(rotation.user_id)
    if user is None or user.disabled:
        await deps.sessions.revoke(rotation.family_id, now, RevocationReason.ADMIN)
        raise WrongCredentials("invalid or expired refresh token")
    access = deps.issuer.issue(
        subject=user.id, role=user.role, agency_id=user.agency_id, session_id=rotation.family_id
    )
    creds = await deps.directory.get_credentials(user.id)
    mfa_enabled = creds is not None and creds.totp_secret is not None
    return AuthOutcome(
        user=user, access=access, refresh_token=rotation.refresh_token, mfa_enabled=mfa_enabled
    )


async def logout(deps: Deps, refresh_token: str) -> None:
    """End the session the token belongs to. Unknown tokens are ignored: nothing to learn."""
    found = await deps.sessions.family_of(refresh_token) if refresh_token else None
    if found is None:
        return
    family_id, user_id = found
    if await deps.sessions.revoke(family_id, deps.now(), RevocationReason.LOGOUT):
        await deps.audit.append(AuditEntry("logout", user_id))


# -- MFA for a signed-in user ------------------------------------------------------------------


async def _begin(deps: Deps, user: User) -> MfaEnrolment:
    creds = await deps.directory.get_credentials(user.id)
    if creds is not None and creds.totp_secret is not None:
        raise WrongState("MFA is already enabled for this account")
    secret = new_totp_secret()
    await deps.mfa.start_pending(user.id, secret)
    await deps.audit.append(AuditEntry("mfa_enrolment_started", user.id, user.agency_id or ""))
    return MfaEnrolment(secret, provisioning_uri(secret, account_name=user.username))


async def _confirm(deps: Deps, user: User, totp_code: str, ticket: str = "") -> None:
    if not code_shaped(totp_code):  # a typo, not a guess: refused without using up an attempt
        raise ValidationFailed([("totp_code", f"must be the {TOTP_DIGITS} digits the app shows")])
    pending = await deps.mfa.pending(user.id)
    if pending is None:
        raise WrongState("no MFA enrolment in progress (or it expired): start again")
    step = verify_totp(pending.secret, totp_code, now=deps.now(), last_used_step=None)
    if step is None:
        await deps.mfa.pending_failed(user.id)
        if ticket:
            await deps.mfa.ticket_failed(ticket)
        raise ValidationFailed([("totp_code", _WRONG_CODE)])
    entry = AuditEntry("mfa_enabled", user.id, user.agency_id or "")
    if not await deps.mfa.enable(user.id, pending, step, entry):
        raise WrongState("the MFA enrolment changed meanwhile: start again")


async def enrol_mfa(deps: Deps, principal: Principal) -> MfaEnrolment:
    return await _begin(deps, await caller(deps, principal))


async def confirm_mfa(deps: Deps, principal: Principal, totp_code: str) -> None:
    await _confirm(deps, await caller(deps, principal), totp_code)


async def _ticket_holder(deps: Deps, ticket: str) -> User:
    user_id = await deps.mfa.ticket_user(ticket) if ticket else None
    user = await deps.directory.get_user(user_id) if user_id else None
    if user is None or user.disabled:
        raise WrongCredentials("invalid or expired MFA setup ticket: sign in again")
    return user


async def begin_mfa_setup(deps: Deps, ticket: str) -> MfaEnrolment:
    return await _begin(deps, await _ticket_holder(deps, ticket))


async def complete_mfa_setup(deps: Deps, ticket: str, totp_code: str) -> AuthOutcome:
    user = await _ticket_holder(deps, ticket)
    # Only one caller can enable the pending secret (compare-and-set), so only one gets here.
    await _confirm(deps, user, totp_code, ticket)
    if not await deps.mfa.consume_ticket(ticket):
        raise WrongCredentials("invalid or expired MFA setup ticket: sign in again")
    return await start_session(deps, user, "mfa_setup", mfa_enabled=True)
