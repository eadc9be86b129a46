"""Platform administration: the first system admin, the audit log, signing-key rotation."""

from __future__ import annotations

import json
import logging
import re

from tenfour_identity.domain.errors import NotAllowed, ValidationFailed
from tenfour_identity.domain.records import AuditEntry, AuditRecord, KeyInfo
from tenfour_identity.domain.roles import can_manage_user
from tenfour_identity.domain.throttle import is_locked
from tenfour_identity.service.accounts import StaffInput, create_staff, validate_staff
from tenfour_identity.service.auth import normalise_login_name
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.errors import Form
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

__all__ = ["bootstrap_admin", "jwks_json", "list_audit_events", "rotate_signing_key"]

_log = logging.getLogger(__name__)
_STREAM_ID = re.compile(r"\d{1,20}-\d{1,20}")
DEFAULT_AUDIT_PAGE = 100
MAX_AUDIT_PAGE = 1000
PLACEHOLDER_DOMAIN = "tenfour.invalid"  # RFC 2606: never resolves, never mailed


async def bootstrap_admin(deps: Deps, *, username: str, password: str, email: str = "") -> bool:
    """Create the first system admin unless one exists; True if this call created it.

    Safe to run on every start of every instance: the check and the write are one transaction.
    The admin signs in with the password, then enrols TOTP with the setup ticket Login returns.
    """
    if await deps.directory.system_admin_count():
        return False
    staff = StaffInput(email or f"{username}@{PLACEHOLDER_DOMAIN}", username, password, username)
    form = Form()
    fields = validate_staff(form, staff)
    try:
        form.done()
    except ValidationFailed as exc:
        problems = "; ".join(f"{v.field}: {v.description}" for v in exc.violations)
        raise ValueError(f"TENFOUR_BOOTSTRAP_ADMIN_* settings are not acceptable: {problems}") from None
    assert fields is not None
    created = await create_staff(
        deps,
        staff=fields,
        password=password,
        role=Role.SYSTEM_ADMIN,
        agency_id=None,
        created_by="bootstrap",
        only_if_no_system_admin=True,
    )
    if created is not None:
        _log.info("bootstrap system admin created", extra={"state": "bootstrap_admin"})
    return created is not None


async def list_audit_events(
    deps: Deps, principal: Principal, *, limit: int, after_id: str
) -> list[AuditRecord]:
    await caller(deps, principal)
    if limit < 0 or limit > MAX_AUDIT_PAGE:
        raise ValidationFailed(
            [("limit", f"must be between 1 and {MAX_AUDIT_PAGE} (0: {DEFAULT_AUDIT_PAGE})")]
        )
    if after_id and not _STREAM_ID.fullmatch(after_id):
        raise ValidationFailed([("after_id", "must be the id of an audit event")])
    return await deps.audit.list(limit=limit or DEFAULT_AUDIT_PAGE, after_id=after_id)


async def rotate_signing_key(deps: Deps, principal: Principal) -> tuple[KeyInfo, list[str]]:
    actor = await caller(deps, principal)
    info = await deps.signing_keys.rotate()
    await deps.audit.append(AuditEntry("signing_key_rotated", actor.id, "", f"kid={info.kid}"))
    return info, [k.kid for k in deps.signing_keys.published()]


def jwks_json(deps: Deps) -> str:
    return json.dumps(deps.signing_keys.jwks(), separators=(",", ":"))


async def unlock_account(deps: Deps, principal: Principal, user_id: str) -> tuple[bool, int]:
    """Lift the sign-in hard limit (and backoff) of an account in the caller's scope.

    Returns (was locked, consecutive failures before the reset).
    """
    actor = await caller(deps, principal)
    if not user_id:
        raise ValidationFailed([("user_id", "is required")])
    user = await deps.directory.get_user(user_id)
    if user is None or not can_manage_user(principal, user.role, user.agency_id):
        # The same answer for "no such user" and "not yours": agency admins cannot probe ids.
        raise NotAllowed("no such user in your scope")
    failures = await deps.throttle.reset_failures(f"user:{user.id}")
    for name in [user.username, *([user.email] if user.email else [])]:
        await deps.throttle.clear(deps.throttle.account(normalise_login_name(str(name))))
    detail = f"by={actor.id} failures={failures}"
    await deps.audit.append(AuditEntry("account_unlocked", user.id, user.agency_id or "", detail))
    return is_locked(failures), failures
