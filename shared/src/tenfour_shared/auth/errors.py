"""Authentication and authorisation failures raised by this package.

Messages are safe to return to callers: they never contain a token or a claim value.
The interceptor maps them to gRPC status codes; services may map them the same way.
"""

from __future__ import annotations

__all__ = ["AccessDenied", "AuthError", "InvalidToken", "KeysUnavailable"]


class AuthError(Exception):
    """Base class of every error in tenfour_shared.auth."""


class InvalidToken(AuthError):  # maps to UNAUTHENTICATED
    """The bearer token is missing, malformed, forged, expired or meant for someone else.

    `reason` is a short machine-readable tag for logs and metrics (e.g. "expired",
    "audience"); callers only ever see the generic message, so a forger learns nothing.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("invalid or expired access token")
        self.reason = reason


class AccessDenied(AuthError):  # maps to PERMISSION_DENIED
    """The caller is authenticated but not allowed to do this."""

    def __init__(self, message: str = "permission denied") -> None:
        super().__init__(message)


class KeysUnavailable(AuthError):  # maps to UNAVAILABLE
    """No usable verification keys: the JWKS could not be fetched and the cache is too old.

    Distinct from InvalidToken so clients retry instead of throwing away a good session.
    """
