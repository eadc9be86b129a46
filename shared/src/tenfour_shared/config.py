"""Service configuration from the environment (TENFOUR_ prefix), validated by pydantic-settings."""

from __future__ import annotations

import os
import socket
import sys
from typing import Self, TypeVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound=BaseSettings)


class TlsSettings(BaseSettings):
    """Mutual TLS for gRPC (server and clients), NATS and Redis: one identity per process.

    Empty (the default, as under `make run`): plaintext gRPC. Set, the gRPC server accepts only
    clients with a certificate signed by `tls_ca_file`, and every client presents this process's
    certificate; NATS and Redis use it when their URL says `tls://` / `rediss://`.
    """

    model_config = SettingsConfigDict(env_prefix="TENFOUR_", extra="ignore", frozen=True)

    tls_ca_file: str = ""
    tls_cert_file: str = ""
    tls_key_file: str = ""

    @property
    def tls_enabled(self) -> bool:
        return bool(self.tls_cert_file)

    @model_validator(mode="after")
    def _all_or_none(self) -> Self:
        files = (self.tls_ca_file, self.tls_cert_file, self.tls_key_file)
        if any(files) and not all(files):
            raise ValueError("TENFOUR_TLS_CA_FILE, _CERT_FILE and _KEY_FILE go together: set all three")
        return self


class ServiceSettings(TlsSettings):
    """Settings every service has. Subclasses set `port` and add their own fields."""

    model_config = SettingsConfigDict(env_prefix="TENFOUR_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    nats_url: str = "nats://127.0.0.1:4222"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # This service's own users (deploy/: ACLs and NATS permissions per service); empty = none.
    redis_username: str = ""
    redis_password: str = ""
    nats_user: str = ""
    nats_password: str = ""
    log_level: str = "INFO"
    # Seconds in-flight RPCs get to finish after SIGTERM before the server cancels them.
    drain_grace_seconds: float = Field(default=5.0, ge=0, le=120)
    # Identifies this process in consumer names and metrics; never personal data.
    instance_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    # Event delivery: attempts before an event is dead-lettered, and the first retry delay.
    max_deliveries: int = Field(default=5, ge=1, le=100)
    retry_base_seconds: float = Field(default=0.5, gt=0, le=60)
    # Where access tokens are checked: identity's JWKS (grpc target) or a static JWKS JSON (tests).
    # Prometheus /metrics port (0 = off); `make run` gives each service its own.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Plaintext port serving only gRPC health (0 = off), for probes that cannot do mutual TLS.
    health_port: int = Field(default=0, ge=0, le=65535)
    identity_target: str = "127.0.0.1:50051"
    jwks_json: str = ""
    token_issuer: str = "tenfour-identity"
    token_audience: str = "tenfour"


def load_settings(cls: type[S]) -> S:
    """Read a process's settings, or exit with the problems named but never the values read:
    pydantic's own message quotes every input, secrets included."""
    try:
        return cls()
    except ValidationError as exc:
        lines = [f"invalid configuration ({cls.__module__}):"]
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            field = ".".join(str(part) for part in err["loc"]) or "settings"
            env = f"TENFOUR_{field.upper()}" if err["loc"] else "TENFOUR_*"
            lines.append(f"  {env}: {err['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
