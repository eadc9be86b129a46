"""Authentication and authorisation shared by every service.

Importing this package pulls in no gRPC: the server interceptor lives in
`tenfour_shared.auth.interceptor`, so pure code (domain cores) may use roles and principals.
"""

from tenfour_shared.auth.cache import VerifiedTokenCache
from tenfour_shared.auth.errors import AccessDenied, AuthError, InvalidToken, KeysUnavailable
from tenfour_shared.auth.jwks import JwksSource, KeyRingJwks, RemoteJwks, StaticJwks, parse_jwks
from tenfour_shared.auth.keys import KeyRing, SigningKey, VerificationKey, jwk_thumbprint
from tenfour_shared.auth.policy import AUTHENTICATED, PUBLIC, Policy, Rule, Verdict
from tenfour_shared.auth.principal import (
    Principal,
    current_principal,
    current_principal_or_none,
    principal_scope,
    require_same_agency,
)
from tenfour_shared.auth.roles import ALL_ROLES, AgencyScope, Role, agency_scope, agency_violation
from tenfour_shared.auth.tokens import ACCESS_TOKEN_TYPE, IssuedToken, TokenIssuer, TokenVerifier

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALL_ROLES",
    "AUTHENTICATED",
    "PUBLIC",
    "AccessDenied",
    "AgencyScope",
    "AuthError",
    "InvalidToken",
    "IssuedToken",
    "JwksSource",
    "KeyRing",
    "KeyRingJwks",
    "KeysUnavailable",
    "Policy",
    "Principal",
    "RemoteJwks",
    "Role",
    "Rule",
    "SigningKey",
    "StaticJwks",
    "TokenIssuer",
    "TokenVerifier",
    "Verdict",
    "VerificationKey",
    "VerifiedTokenCache",
    "agency_scope",
    "agency_violation",
    "current_principal",
    "current_principal_or_none",
    "jwk_thumbprint",
    "parse_jwks",
    "principal_scope",
    "require_same_agency",
]
