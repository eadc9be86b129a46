"""Mutual TLS from configuration: gRPC server and channel credentials, NATS and Redis options.

Every process has one certificate (its service name in the SANs) signed by the deployment's CA
(`make certs`), and trusts only that CA. Files are read when a server or client is built, so a
rotated certificate takes effect at the next restart (docs/operations.md).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import grpc
from grpc import aio

from tenfour_shared.config import TlsSettings


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def server_credentials(settings: TlsSettings | None) -> grpc.ServerCredentials | None:
    """None without TLS files; otherwise clients must present a certificate from our CA."""
    if settings is None or not settings.tls_enabled:
        return None
    return grpc.ssl_server_credentials(
        [(_read(settings.tls_key_file), _read(settings.tls_cert_file))],
        root_certificates=_read(settings.tls_ca_file),
        require_client_auth=True,
    )


def channel_credentials(settings: TlsSettings | None) -> grpc.ChannelCredentials | None:
    if settings is None or not settings.tls_enabled:
        return None
    return grpc.ssl_channel_credentials(
        root_certificates=_read(settings.tls_ca_file),
        private_key=_read(settings.tls_key_file),
        certificate_chain=_read(settings.tls_cert_file),
    )


ChannelOptions = list[tuple[str, Any]]


def aio_channel(
    target: str, settings: TlsSettings | None, options: ChannelOptions | None = None
) -> aio.Channel:
    """An asyncio channel to another Tenfour process: mutual TLS when configured."""
    creds = channel_credentials(settings)
    if creds is None:
        return aio.insecure_channel(target, options=options)
    return aio.secure_channel(target, creds, options=options)


def sync_channel(
    target: str, settings: TlsSettings | None, options: ChannelOptions | None = None
) -> grpc.Channel:
    """A blocking channel (CLI, health checks): mutual TLS when configured."""
    creds = channel_credentials(settings)
    if creds is None:
        return grpc.insecure_channel(target, options=options)
    return grpc.secure_channel(target, creds, options=options)


def client_ssl_context(settings: TlsSettings | None) -> ssl.SSLContext | None:
    """For NATS (and anything else speaking TLS over TCP): verify the server, present our cert."""
    if settings is None or not settings.tls_enabled:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=settings.tls_ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
    return ctx


def redis_ssl_options(settings: TlsSettings | None) -> dict[str, Any]:
    """redis-py keyword arguments for a `rediss://` URL (ignored by redis-py for `redis://`)."""
    if settings is None or not settings.tls_enabled:
        return {}
    return {
        "ssl_ca_certs": settings.tls_ca_file,
        "ssl_certfile": settings.tls_cert_file,
        "ssl_keyfile": settings.tls_key_file,
        "ssl_cert_reqs": "required",
    }
