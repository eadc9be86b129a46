"""Who may call each identity RPC. Anything not listed is denied.

The role check here is the first gate; handlers then check the agency (no call returns or
changes another agency's data) and re-check the caller's session against the directory.
Public RPCs carry their own credential in the request: a password (Login), an enrolment code
(RedeemEnrolmentCode), a refresh token (Refresh, Logout) or an MFA setup ticket.
"""

from __future__ import annotations

from tenfour_shared.auth.policy import AUTHENTICATED, PUBLIC, Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.identity.v1.IdentityService/"

SYSTEM_ADMIN = Rule(roles={Role.SYSTEM_ADMIN})
ADMINS = Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})
AGENCY_ADMIN = Rule(roles={Role.AGENCY_ADMIN})
PROFILE_EDITORS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})
OFFICERS = Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER})
PROVIDERS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER})

RULES: dict[str, Rule] = {
    # Agencies and enrolment.
    "CreateAgency": SYSTEM_ADMIN,
    "CreateAgencyAdmin": ADMINS,  # agency admins: their own agency only
    "CreateEnrolmentCode": ADMINS,  # agency admins: their own agency only
    "GetEnrolmentStats": ADMINS,  # agency admins: their own agency only
    "ListEnrolmentCodes": ADMINS,  # agency admins: their own agency only
    "RevokeEnrolmentCode": ADMINS,  # agency admins: their own agency only
    "RedeemEnrolmentCode": PUBLIC,  # the code is the credential
    # Providers.
    "OnboardTherapist": SYSTEM_ADMIN,
    "NominatePeerSupporter": AGENCY_ADMIN,  # an officer of their own agency
    "UpdateProviderProfile": PROFILE_EDITORS,  # own profile; admins as roles.can_edit_provider_profile
    "GetProviderProfile": PROFILE_EDITORS,  # whoever may edit it (roles.can_edit_provider_profile)
    "ListProviders": AUTHENTICATED,  # own agency only; system admins any
    "GetOfficerNames": PROVIDERS,  # only officers who booked with the caller (service/care.py)
    # Authentication.
    "Login": PUBLIC,
    "Refresh": PUBLIC,
    "Logout": PUBLIC,  # the refresh token is the credential: works after the access token expired
    "EnrolMfa": AUTHENTICATED,
    "ConfirmMfa": AUTHENTICATED,
    "BeginMfaSetup": PUBLIC,  # the setup ticket from Login is the credential
    "CompleteMfaSetup": PUBLIC,
    "SetContactChannel": OFFICERS,
    "GetMe": AUTHENTICATED,
    # Administration.
    "DeactivateUser": AUTHENTICATED,  # oneself (not system admins), or as roles.can_manage_user
    "UnlockAccount": ADMINS,  # as roles.can_manage_user: agency admins their own agency only
    "ListAuditEvents": SYSTEM_ADMIN,
    "ListAccessAudit": SYSTEM_ADMIN,
    "VerifyAuditChain": SYSTEM_ADMIN,
    "RotateSigningKey": SYSTEM_ADMIN,
    # Keys every service verifies tokens with.
    "GetJwks": PUBLIC,
}

POLICY = Policy({_S + name: rule for name, rule in RULES.items()})
