"""Identity's pure core: no I/O, no gRPC, no Redis, no NATS (enforced by import-linter).

Modules: errors (domain errors → gRPC codes), validation (frozen models, field-level errors),
fields (validated text types), roles (who administers whom), models (Agency, User, Credentials),
provider (ProviderProfile), passwords / password_policy / common_passwords, totp, enrolment,
throttle (login backoff), refresh (refresh-token families).
"""
