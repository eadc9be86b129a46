"""How a service builds its token verifier and auth interceptor from configuration.

Keys come from identity's JWKS (GetJwks over gRPC, cached, refreshed on an unknown kid), or
from a static JWKS document in TENFOUR_JWKS_JSON (tests, air-gapped set-ups).
"""

from __future__ import annotations

import json
from typing import Any

from grpc import aio

from tenfour.identity.v1 import identity_pb2, identity_pb2_grpc
from tenfour_shared.auth.cache import VerifiedTokenCache
from tenfour_shared.auth.interceptor import AuthInterceptor
from tenfour_shared.auth.jwks import JwksFetch, JwksSource, RemoteJwks, StaticJwks, parse_jwks
from tenfour_shared.auth.policy import Policy
from tenfour_shared.auth.tokens import TokenVerifier
from tenfour_shared.config import ServiceSettings, TlsSettings
from tenfour_shared.tls import aio_channel


def identity_jwks_fetch(target: str, tls_settings: TlsSettings | None = None) -> JwksFetch:
    """A fetch function for RemoteJwks that asks identity's public GetJwks RPC (over mutual TLS
    when `tls_settings` has certificates)."""
    channel: aio.Channel | None = None

    async def fetch() -> dict[str, Any]:
        nonlocal channel
        if channel is None:
            channel = aio_channel(target, tls_settings)
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        reply = await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=5)
        document: dict[str, Any] = json.loads(reply.jwks_json)
        return document

    return fetch


def jwks_source(settings: ServiceSettings) -> JwksSource:
    if settings.jwks_json:
        return StaticJwks(parse_jwks(json.loads(settings.jwks_json)).values())
    return RemoteJwks(identity_jwks_fetch(settings.identity_target, settings))


def build_verifier(settings: ServiceSettings, source: JwksSource | None = None) -> TokenVerifier:
    return TokenVerifier(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        jwks=source or jwks_source(settings),
        cache=VerifiedTokenCache(),
    )


def auth_interceptor(
    settings: ServiceSettings, policy: Policy, source: JwksSource | None = None
) -> AuthInterceptor:
    return AuthInterceptor(build_verifier(settings, source), policy)
