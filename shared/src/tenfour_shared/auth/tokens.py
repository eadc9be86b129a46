"""Access tokens: RFC 9068 JWTs signed with EdDSA, verified per RFC 8725.

Issuing and the signature check use PyJWT (one pinned algorithm, EdDSA, so there is no
algorithm choice to get wrong). What PyJWT does not check is kept here: the header may hold only
alg/typ/kid, JSON duplicate claims are refused, and every claim (including a maximum lifetime)
is checked with an injectable clock, not by library defaults. Nothing in the token is trusted
before the signature checks out; a VerifiedTokenCache spares repeat verifications.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from tenfour_shared.auth.cache import VerifiedTokenCache
from tenfour_shared.auth.errors import InvalidToken
from tenfour_shared.auth.jwks import JwksSource
from tenfour_shared.auth.keys import KeyRing
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role, agency_violation

__all__ = ["ACCESS_TOKEN_TYPE", "IssuedToken", "TokenIssuer", "TokenVerifier"]

ACCESS_TOKEN_TYPE = "at+jwt"
_ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})  # RFC 9068 §4
_ALGORITHM = "EdDSA"
_ALLOWED_HEADER = frozenset({"alg", "typ", "kid"})  # no crit/jku/x5u/jwk/b64: nothing to trust
_MAX_TOKEN_BYTES = 4096
_JWS = jwt.PyJWS(algorithms=[_ALGORITHM])
_MAX_TTL = timedelta(hours=1)
_REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "nbf", "iat", "jti", "role", "sid")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str = field(repr=False)  # a bearer credential must never reach a log
    token_id: str
    expires_at: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenIssuer:
    """Signs access tokens with the ring's current key (identity only)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str | Sequence[str],
        keyring: Callable[[], KeyRing],
        ttl: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not issuer:
            raise ValueError("issuer is required")
        if not timedelta(0) < ttl <= _MAX_TTL:
            raise ValueError(f"access token ttl must be in (0, {_MAX_TTL}]")
        self._issuer = issuer
        self._audience = _audience_claim(audience)
        self._keyring = keyring
        self._ttl = ttl
        self._clock = clock

    def issue(
        self,
        *,
        subject: str,
        role: Role,
        agency_id: str | None,
        session_id: str,
        audience: str | Sequence[str] | None = None,
        ttl: timedelta | None = None,
    ) -> IssuedToken:
        problem = agency_violation(role, agency_id)
        if problem:
            raise ValueError(problem)
        if not subject or not session_id:
            raise ValueError("subject and session_id are required")
        lifetime = self._ttl if ttl is None else ttl
        if not timedelta(0) < lifetime <= _MAX_TTL:
            raise ValueError(f"access token ttl must be in (0, {_MAX_TTL}]")
        now = int(self._clock().timestamp())
        expires = now + int(lifetime.total_seconds())
        token_id = secrets.token_urlsafe(16)
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience if audience is None else _audience_claim(audience),
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": expires,
            "jti": token_id,
            "role": role.value,
            "agency": agency_id,
            "sid": session_id,
        }
        key = self._keyring().current
        token = jwt.encode(
            claims,
            key.private_key,
            algorithm=_ALGORITHM,
            headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE},
        )
        return IssuedToken(token, token_id, datetime.fromtimestamp(expires, UTC))


def _audience_claim(audience: str | Sequence[str]) -> str | list[str]:
    values = [audience] if isinstance(audience, str) else list(audience)
    if not values or not all(isinstance(a, str) and a for a in values):
        raise ValueError("audience must be one or more non-empty strings")
    return values[0] if len(values) == 1 else values


class TokenVerifier:
    """Checks an access token and returns who is calling; raises InvalidToken otherwise."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: JwksSource,
        leeway: timedelta = timedelta(seconds=15),
        max_lifetime: timedelta = _MAX_TTL,
        cache: VerifiedTokenCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`cache`: pass a VerifiedTokenCache to skip re-verifying a token already seen (see cache.py)."""
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwks
        self._leeway = leeway.total_seconds()
        self._max_lifetime = max_lifetime.total_seconds()
        self._cache = cache
        self._clock = clock

    async def verify(self, token: str) -> Principal:
        if self._cache is not None:
            hit = self._cache.get(token, self._clock())
            if hit is not None:
                if await self._jwks.get_key(hit.kid) is not None:
                    return hit.principal
                self._cache.discard(token)  # key retired since: verify again, and fail
        if len(token) > _MAX_TOKEN_BYTES:
            raise InvalidToken("malformed")
        try:
            unverified = _JWS.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise InvalidToken("malformed") from exc
        header = _header(unverified)
        key = await self._jwks.get_key(header["kid"])
        if key is None:
            raise InvalidToken("unknown_key")
        try:
            # RFC 8037 EdDSA: the only algorithm accepted, whatever the header says.
            payload = _JWS.decode(token, key.public_key, algorithms=[_ALGORITHM])
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("signature") from exc
        except jwt.InvalidTokenError as exc:
            raise InvalidToken("malformed") from exc
        claims = _json_object(payload)
        principal = self._principal(claims)
        if self._cache is not None:
            expires = claims["exp"] + self._leeway
            self._cache.put(token, principal, header["kid"], expires, self._clock())
        return principal

    def _principal(self, claims: dict[str, Any]) -> Principal:
        for name in _REQUIRED_CLAIMS:
            if name not in claims:
                raise InvalidToken("claims")
        if claims["iss"] != self._issuer:
            raise InvalidToken("issuer")
        audience = claims["aud"]
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self._audience not in audiences:
            raise InvalidToken("audience")
        self._check_times(claims)
        strings = [claims[name] for name in ("sub", "jti", "sid")]
        if not all(isinstance(value, str) and value for value in strings):
            raise InvalidToken("claims")
        try:
            role = Role(claims["role"])
        except ValueError as exc:
            raise InvalidToken("claims") from exc
        agency = claims.get("agency")
        if not (agency is None or isinstance(agency, str)) or agency_violation(role, agency):
            raise InvalidToken("claims")
        return Principal(
            subject=claims["sub"],
            role=role,
            agency_id=agency,
            session_id=claims["sid"],
            token_id=claims["jti"],
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        exp, nbf, iat = claims["exp"], claims["nbf"], claims["iat"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, nbf, iat)):
            raise InvalidToken("claims")
        now = self._clock()
        if now >= exp + self._leeway:
            raise InvalidToken("expired")
        if now < nbf - self._leeway or now < iat - self._leeway:
            raise InvalidToken("not_yet_valid")
        if exp - iat > self._max_lifetime:
            raise InvalidToken("lifetime")  # a mis-issued long-lived token is refused


def _header(header: dict[str, Any]) -> dict[str, Any]:
    if header.get("alg") != _ALGORITHM:
        raise InvalidToken("algorithm")
    if not set(header) <= _ALLOWED_HEADER:
        raise InvalidToken("header")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYPES:
        raise InvalidToken("type")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise InvalidToken("unknown_key")
    return header


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Duplicate claim names are parsed differently by different libraries: refuse them.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate claim")
    return result


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw, object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError) as exc:  # includes UnicodeDecodeError
        raise InvalidToken("malformed") from exc
    if not isinstance(value, dict):
        raise InvalidToken("malformed")
    return value
