"""The one place where identity's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.adapters.access_trail import AccessTrail
from tenfour_identity.adapters.audit import AuditLog
from tenfour_identity.adapters.care_links import CareLinkStore
from tenfour_identity.adapters.directory import Directory
from tenfour_identity.adapters.enrolment_codes import CodeStore
from tenfour_identity.adapters.mfa import MfaStore
from tenfour_identity.adapters.sessions import SessionStore
from tenfour_identity.adapters.signing_keys import SigningKeyStore
from tenfour_identity.adapters.throttle import ThrottleStore
from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.config import Settings
from tenfour_identity.domain.passwords import Argon2Params, PasswordHasher
from tenfour_identity.domain.refresh import RefreshPolicy
from tenfour_identity.entrypoints.grpc_api import SERVICE_NAME, IdentityApi
from tenfour_identity.entrypoints.policy import POLICY
from tenfour_identity.service import access_audit, admin, care
from tenfour_identity.service.deps import Deps, Passwords
from tenfour_shared import logs
from tenfour_shared.auth.tokens import TokenIssuer
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "identity"
_DAY = 86400.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def build(settings: Settings, infra: Infra) -> tuple[Deps, SigningKeyStore]:
    vault = Vault.from_setting(settings.identity_key_encryption_key.get_secret_value())
    access_ttl = timedelta(seconds=settings.identity_access_token_ttl_seconds)
    signing_keys = SigningKeyStore(
        infra.redis,
        vault,
        activation_delay=settings.identity_signing_key_activation_seconds,
        max_token_lifetime=access_ttl.total_seconds(),
    )
    issuer = TokenIssuer(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        keyring=signing_keys.ring,
        ttl=access_ttl,
    )
    hasher = PasswordHasher(
        Argon2Params(
            memory_kib=settings.identity_argon2_memory_kib,
            time_cost=settings.identity_argon2_time_cost,
            parallelism=settings.identity_argon2_parallelism,
        )
    )
    refresh_policy = RefreshPolicy(
        idle_timeout=timedelta(seconds=settings.identity_refresh_idle_seconds),
        absolute_lifetime=timedelta(seconds=settings.identity_refresh_lifetime_seconds),
    )
    ticket_ttl = timedelta(seconds=settings.identity_mfa_ticket_seconds)
    deps = Deps(
        directory=Directory(infra.redis, infra.relay, vault),
        codes=CodeStore(infra.redis, infra.relay),
        sessions=SessionStore(infra.redis, refresh_policy),
        mfa=MfaStore(infra.redis, vault, pending_ttl=ticket_ttl, ticket_ttl=ticket_ttl),
        throttle=ThrottleStore(infra.redis, vault),
        audit=AuditLog(infra.redis),
        signing_keys=signing_keys,
        issuer=issuer,
        passwords=Passwords(hasher),
        code_pepper=vault.key(Purpose.CODE_PEPPER),
        clock=_utcnow,
        access_trail=AccessTrail(infra.redis),
        access_key=vault.key(Purpose.ACCESS_PSEUDONYM),
        care=CareLinkStore(infra.redis),
    )
    # Sessions' access events from the services that see them (shared/access_audit.py).
    # ...and, from scheduling's appointments, which officers booked with which provider.
    infra.consume("scheduling", {**access_audit.HANDLERS_FROM["scheduling"](deps), **care.handlers(deps)})
    infra.consume("signaling", access_audit.HANDLERS_FROM["signaling"](deps))
    return deps, signing_keys


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    infra = Infra(settings, SERVICE)
    deps, signing_keys = build(settings, infra)
    # Identity verifies tokens with its own keys (straight from the shared key store), every
    # other service with identity's JWKS (GetJwks, public).
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY, signing_keys)])
    api = IdentityApi(deps, trust_client_header=settings.identity_trust_client_header)
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(api, runtime.server)
    max_age = settings.identity_signing_key_max_age_days * _DAY
    async with runtime:
        await infra.connect(runtime)
        await signing_keys.ensure_key(max_age)
        if settings.bootstrap_admin_username:
            await admin.bootstrap_admin(
                deps,
                username=settings.bootstrap_admin_username,
                password=settings.bootstrap_admin_password.get_secret_value(),
                email=settings.bootstrap_admin_email,
            )
        runtime.spawn("signing-keys", lambda: signing_keys.maintain(rotate_after=max_age))
        await runtime.ready()
        await runtime.wait()
