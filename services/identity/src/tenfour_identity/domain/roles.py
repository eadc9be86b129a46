"""Who may administer whom: the agency-scoping rules of identity.

Roles themselves live in tenfour_shared.auth (every verifier needs them); this module adds the
rules only identity enforces. Deny by default: each function lists what is allowed.
"""

from __future__ import annotations

from tenfour_identity.domain.errors import NotAllowed
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role, agency_violation

__all__ = [
    "ENROLABLE_ROLES",
    "MFA_REQUIRED_ROLES",
    "PSEUDONYMOUS_ROLES",
    "Role",
    "agency_violation",
    "can_edit_provider_profile",
    "can_issue_enrolment_codes",
    "can_manage_agency",
    "can_manage_user",
    "ensure",
]

# Officers (and peers, who are officers) sign up without anything the department could use to
# identify them: no email, only a username and a display name they choose.
PSEUDONYMOUS_ROLES = frozenset({Role.OFFICER, Role.PEER_SUPPORTER})

# Roles an agency enrolment code may grant; clinicians and admins are created by an admin.
ENROLABLE_ROLES = frozenset({Role.OFFICER, Role.PEER_SUPPORTER})

# Roles that handle health data or administer others: no tokens without a second factor.
MFA_REQUIRED_ROLES = frozenset({Role.THERAPIST, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})

# Roles an agency admin may create, disable or edit inside its own agency.
_AGENCY_MANAGED = frozenset({Role.OFFICER, Role.PEER_SUPPORTER, Role.AGENCY_ADMIN})


def _is_system_admin(actor: Principal) -> bool:
    return actor.role is Role.SYSTEM_ADMIN


def _admin_of(actor: Principal, agency_id: str | None) -> bool:
    return actor.role is Role.AGENCY_ADMIN and agency_id is not None and actor.agency_id == agency_id


def can_manage_user(actor: Principal, target_role: Role, target_agency: str | None) -> bool:
    """Create, disable or edit an account with `target_role` in `target_agency`."""
    if _is_system_admin(actor):
        return True
    return target_role in _AGENCY_MANAGED and _admin_of(actor, target_agency)


def can_issue_enrolment_codes(actor: Principal, agency_id: str) -> bool:
    return _is_system_admin(actor) or _admin_of(actor, agency_id)


def can_manage_agency(actor: Principal, agency_id: str | None) -> bool:
    """Creating an agency (agency_id None) is for operators; settings are for its own admins too."""
    if _is_system_admin(actor):
        return True
    return _admin_of(actor, agency_id)


def can_edit_provider_profile(
    actor: Principal, owner_id: str, owner_role: Role, owner_agency: str | None
) -> bool:
    """Providers edit their own profile; operators curate therapists; agency admins their peers."""
    if actor.subject == owner_id and actor.role is owner_role:
        return True
    if owner_role is Role.THERAPIST:
        return _is_system_admin(actor)
    if owner_role is Role.PEER_SUPPORTER:
        return _is_system_admin(actor) or _admin_of(actor, owner_agency)
    return False


def ensure(allowed: bool, message: str = "permission denied") -> None:
    """Raise NotAllowed unless `allowed`: `ensure(can_manage_user(actor, ...))`."""
    if not allowed:
        raise NotAllowed(message)
