"""Identity's settings (environment variables with the TENFOUR_ prefix)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50051, ge=0, le=65535)

    # Master secret (base64url or hex, at least 32 bytes) from which identity derives the keys
    # that encrypt signing keys, TOTP secrets and contact channels at rest, and the HMAC keys of
    # enrolment codes and throttle counters. Unset: a fixed development key is derived and a
    # warning is logged at start-up: never run a real deployment without it.
    identity_key_encryption_key: SecretStr = SecretStr("")

    # First system admin, created at start-up when no system admin exists (idempotent).
    bootstrap_admin_username: str = ""
    bootstrap_admin_password: SecretStr = SecretStr("")
    bootstrap_admin_email: str = ""  # default: <username>@tenfour.invalid (never mailed)

    # Tokens and sessions.
    identity_access_token_ttl_seconds: int = Field(default=600, ge=30, le=3600)
    identity_refresh_idle_seconds: int = Field(default=3600, ge=60)
    identity_refresh_lifetime_seconds: int = Field(default=12 * 3600, ge=60, le=30 * 24 * 3600)
    identity_mfa_ticket_seconds: int = Field(default=600, ge=30, le=3600)

    # Signing keys: a new key is published this long before it signs, so every verifier's JWKS
    # cache (5 min in tenfour_shared.auth.jwks.RemoteJwks) has seen it first.
    identity_signing_key_activation_seconds: float = Field(default=300.0, ge=0, le=86400)
    # Rotate automatically once the signing key is this old (checked at start and hourly); 0: never.
    identity_signing_key_max_age_days: float = Field(default=30.0, ge=0)

    # The gateway names the end client in this metadata key (a per-device or per-address tag)
    # for per-source login throttling. Set to false when identity is reachable without the
    # gateway, so callers cannot pick their own source; the peer address is used instead.
    identity_trust_client_header: bool = True

    # Argon2id cost; never below OWASP's floor (m=19 MiB, t=2, p=1), enforced by the domain.
    identity_argon2_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    identity_argon2_time_cost: int = Field(default=2, ge=2)
    identity_argon2_parallelism: int = Field(default=1, ge=1)
