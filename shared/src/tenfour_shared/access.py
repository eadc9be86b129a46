"""Who may touch what in Redis and NATS: one entry per service, rendered into server configs.

Each service has its own Redis ACL user limited to its own keys (`<service>:*`, which
`redis_store.Keys`, the outbox and the inbox all use) and its own NATS user limited to its own
subjects: publishing its events and dead letters, creating its own stream, creating and reading
its own durable consumers on the streams it consumes, and replies on its own inbox prefix
(`infra.nats_options`). Adding a service is one entry in SERVICES.

`make certs` writes the rendered files for docker compose and `make run` (TENFOUR_SECURE=1);
deploy/nats.conf and the Kubernetes ConfigMap carry the same text with passwords read from the
environment (NATS `$VAR` references), checked by tests/deploy against this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tenfour_shared.events.streams import DEAD_LETTER_STREAM, stream_name


@dataclass(frozen=True)
class ServiceAccess:
    name: str
    consumes: tuple[str, ...] = ()  # event sources it has durable consumers on
    produces: bool = True  # has its own JetStream stream (`<name>.>`)
    redis: bool = True
    nats: bool = True
    # Core NATS subjects outside JetStream it both publishes and subscribes (signaling's live bus).
    live_subjects: tuple[str, ...] = field(default=())


SERVICES: dict[str, ServiceAccess] = {
    s.name: s
    for s in (
        ServiceAccess("identity", consumes=("scheduling", "signaling")),  # the access audit trail
        ServiceAccess("availability", consumes=("identity",)),
        ServiceAccess("scheduling", consumes=("availability", "identity", "signaling", "scheduling")),
        ServiceAccess("signaling", consumes=("scheduling",), live_subjects=("tenfour-live.signaling.>",)),
        ServiceAccess("outcomes", consumes=("identity", "scheduling"), produces=False),
        ServiceAccess(
            "notifications",
            consumes=("identity", "availability", "scheduling", "signaling"),
            produces=False,
            live_subjects=("tenfour-live.notifications.>",),
        ),
        ServiceAccess("gateway", produces=False, redis=False, nats=False),
    )
}
# Operators' user for backups, restores and the test harness: every key and subject.
ADMIN_USER = "admin"


def nats_password_env(service: str) -> str:
    """The environment variable nats-server reads a service's password from."""
    return f"TENFOUR_NATS_PASSWORD_{service.upper()}"


def nats_permissions(access: ServiceAccess) -> dict[str, list[str]]:
    name = access.name
    api = "$JS.API"
    publish = [f"{name}.>", f"deadletter.{name}.>", f"{api}.INFO"]
    own_streams = ([stream_name(name)] if access.produces else []) + [DEAD_LETTER_STREAM]
    for stream in own_streams:
        publish += [f"{api}.STREAM.CREATE.{stream}", f"{api}.STREAM.INFO.{stream}"]
    for source in access.consumes:
        stream, durable = stream_name(source), f"{name}-from-{source}"
        publish += [
            f"{api}.STREAM.INFO.{stream}",
            f"{api}.CONSUMER.CREATE.{stream}.{durable}",
            f"{api}.CONSUMER.CREATE.{stream}.{durable}.>",
            f"{api}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
            f"{api}.CONSUMER.INFO.{stream}.{durable}",
            f"{api}.CONSUMER.MSG.NEXT.{stream}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
    publish += list(access.live_subjects)
    subscribe = [f"_INBOX_{name}.>", *access.live_subjects]
    return {"publish": _unique(publish), "subscribe": _unique(subscribe)}


def nats_authorization(passwords: dict[str, str] | None = None) -> str:
    """The `authorization` block of nats.conf. Passwords are `$VAR` references to the
    environment unless given (the embedded server's private config file)."""

    def password(user: str) -> str:
        if passwords is not None:
            return _quote(passwords[user])
        return f"${nats_password_env(user)}"

    lines = ["authorization {", "  users = ["]
    lines.append(f"    {{user: {ADMIN_USER}, password: {password(ADMIN_USER)}}}")
    for access in SERVICES.values():
        if not access.nats:
            continue
        perms = nats_permissions(access)
        lines.append(f"    {{user: {access.name}, password: {password(access.name)}, permissions: {{")
        lines.append(f"      publish: {{allow: {_list(perms['publish'])}}}")
        lines.append(f"      subscribe: {{allow: {_list(perms['subscribe'])}}}")
        lines.append("    }}")
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


# Everything but administration: no KEYS/FLUSH*/CONFIG/DEBUG/MONITOR/SHUTDOWN, no ACL changes.
REDIS_COMMANDS = "+@all -@dangerous -@admin"


def redis_acl(passwords: dict[str, str]) -> str:
    """An ACL file (`aclfile`): passwords stored as SHA-256, the default user off."""
    lines = ["user default off resetkeys resetchannels -@all"]
    lines.append(f"user {ADMIN_USER} on #{_sha256(passwords[ADMIN_USER])} ~* &* +@all")
    for access in SERVICES.values():
        if not access.redis:
            continue
        name = access.name
        lines.append(
            f"user {name} on #{_sha256(passwords[name])} resetkeys ~{name}:* resetchannels &{name}:* "
            f"{REDIS_COMMANDS}"
        )
    return "\n".join(lines) + "\n"


def principals() -> list[str]:
    """Every user that gets a password: the admin and each service with Redis or NATS."""
    return [ADMIN_USER, *(s.name for s in SERVICES.values() if s.redis or s.nats)]


def _sha256(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_quote(i) for i in items) + "]"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
