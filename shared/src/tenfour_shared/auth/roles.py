"""Roles and the agency-scoping rule every token and every user record obeys.

Defined here, not in identity, because verifiers in every service need the same vocabulary
and the shared library may not import a service.
"""

from __future__ import annotations

from enum import Enum, StrEnum

__all__ = ["ALL_ROLES", "AgencyScope", "Role", "agency_scope", "agency_violation"]


class Role(StrEnum):
    OFFICER = "officer"
    THERAPIST = "therapist"
    PEER_SUPPORTER = "peer_supporter"
    AGENCY_ADMIN = "agency_admin"
    SYSTEM_ADMIN = "system_admin"


ALL_ROLES: frozenset[Role] = frozenset(Role)


class AgencyScope(Enum):
    REQUIRED = "required"  # always acts inside exactly one agency
    OPTIONAL = "optional"  # may belong to one agency or serve a network of agencies
    NONE = "none"  # platform-wide; never tied to an agency


_SCOPES: dict[Role, AgencyScope] = {
    Role.OFFICER: AgencyScope.REQUIRED,
    Role.PEER_SUPPORTER: AgencyScope.REQUIRED,  # a peer is a trained officer of an agency
    Role.AGENCY_ADMIN: AgencyScope.REQUIRED,
    # Clinicians may be in-house (agency set) or part of a provider network serving several
    # agencies (no agency); their reach over officers comes from bookings, not from the claim.
    Role.THERAPIST: AgencyScope.OPTIONAL,
    # A platform operator holds no agency, so agency-scoped checks deny it unless a handler
    # opts in explicitly: confidentiality of officers outranks operator convenience.
    Role.SYSTEM_ADMIN: AgencyScope.NONE,
}


def agency_scope(role: Role) -> AgencyScope:
    return _SCOPES[role]


def agency_violation(role: Role, agency_id: str | None) -> str | None:
    """Why `agency_id` is not acceptable for `role`, or None when it is."""
    scope = _SCOPES[role]
    if scope is AgencyScope.REQUIRED and not agency_id:
        return f"role {role.value} must belong to an agency"
    if scope is AgencyScope.NONE and agency_id is not None:
        return f"role {role.value} must not belong to an agency"
    if agency_id is not None and not agency_id:
        return "agency id must not be empty"
    return None
