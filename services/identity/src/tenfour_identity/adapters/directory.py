"""Agencies, users, credentials and provider profiles in Redis.

Every write is an optimistic transaction (WATCH, read, MULTI, EXEC) over keys of the `{dir}`
tag, and puts its outbox event and audit entry in the same MULTI: a user never exists without
its `user_registered` event, nor a deactivation without `user_deactivated`.
Secrets are sealed by the vault: TOTP secrets and contact channels (bound to the user id).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_identity.adapters import audit, keys
from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.domain.errors import AlreadyExists, NotFound
from tenfour_identity.domain.models import Agency, Credentials, User
from tenfour_identity.domain.provider import ProviderProfile
from tenfour_identity.domain.records import AuditEntry, Change, NewUser, StoredProfile
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import ConcurrentChange
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import as_bytes

__all__ = ["Change", "Directory", "NewUser", "StoredProfile"]

_ATTEMPTS = 20


def _text(raw: Any) -> str:
    return as_bytes(raw).decode()


class Directory:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay, vault: Vault) -> None:
        self._redis = redis
        self._relay = relay
        self._vault = vault

    # -- agencies --------------------------------------------------------------------------

    async def get_agency(self, agency_id: str) -> Agency | None:
        raw = await self._redis.get(keys.agency(agency_id))
        return None if raw is None else Agency.model_validate_json(as_bytes(raw))

    async def create_agency(self, agency: Agency, entry: AuditEntry, event: Envelope) -> None:
        """The agency, its audit entry and its `agency_registered` event, together or not at all."""
        key = keys.agency(agency.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            if await pipe.exists(key):
                raise AlreadyExists("agency id already exists")
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.set(key, agency.model_dump_json())
            outbox.stage(pipe, keys.SERVICE, keys.DIR, event)
            audit.stage(pipe, entry)
            try:
                await pipe.execute()
            except WatchError:
                raise AlreadyExists("agency id already exists") from None
        await self._relay.notify(keys.DIR)

    # -- users -----------------------------------------------------------------------------

    async def get_user(self, user_id: str) -> User | None:
        raw = await self._redis.get(keys.user(user_id))
        return None if raw is None else User.model_validate_json(as_bytes(raw))

    async def find_login(self, identifier: str) -> str | None:
        """The user id of a username or an e-mail address (already normalised)."""
        key = keys.email(identifier) if "@" in identifier else keys.login_name(identifier)
        raw = await self._redis.get(key)
        return None if raw is None else _text(raw)

    async def get_credentials(self, user_id: str) -> Credentials | None:
        raw = await self._redis.hgetall(keys.credentials(user_id))
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        sealed, step = fields.get("totp_sealed", ""), fields.get("totp_last_step", "")
        secret = self._vault.open(Purpose.TOTP, sealed, user_id).decode() if sealed else None
        return Credentials(
            user_id=user_id,
            password_hash=fields["password_hash"],
            totp_secret=secret,
            totp_last_step=int(step) if step else None,
        )

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Store a rehash (stronger parameters) after a successful login."""
        await self._redis.hset(keys.credentials(user_id), "password_hash", password_hash)

    async def system_admin_count(self) -> int:
        return int(await self._redis.scard(keys.SYSTEM_ADMINS))

    async def create_user(self, new: NewUser, *, only_if_no_system_admin: bool = False) -> bool:
        """Create the account, its login names, credentials, profile, events and audit entries.

        Raises AlreadyExists when the username or e-mail is taken. With
        `only_if_no_system_admin`, returns False (and writes nothing) if a system admin exists.
        """
        user = new.user
        watched = [keys.login_name(user.username)]
        if user.email:
            watched.append(keys.email(user.email))
        if only_if_no_system_admin:
            watched.append(keys.SYSTEM_ADMINS)
        for _ in range(_ATTEMPTS):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(*watched)
                    if await pipe.exists(keys.login_name(user.username)):
                        raise AlreadyExists("username is taken")
                    if user.email and await pipe.exists(keys.email(user.email)):
                        raise AlreadyExists("an account with this e-mail address exists")
                    if only_if_no_system_admin and await pipe.scard(keys.SYSTEM_ADMINS):
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return False
                    pipe.multi()  # type: ignore[no-untyped-call]
                    self._stage_new_user(pipe, new)
                    await pipe.execute()
                except WatchError:
                    continue
            await self._relay.notify(keys.DIR)
            return True
        raise ConcurrentChange("too many concurrent sign-ups; try again")

    def _stage_new_user(self, pipe: Any, new: NewUser) -> None:
        user = new.user
        pipe.set(keys.login_name(user.username), user.id)
        if user.email:
            pipe.set(keys.email(user.email), user.id)
        pipe.set(keys.user(user.id), user.model_dump_json())
        pipe.hset(keys.credentials(user.id), mapping={"password_hash": new.password_hash})
        if user.role is Role.SYSTEM_ADMIN:
            pipe.sadd(keys.SYSTEM_ADMINS, user.id)
        if new.profile is not None:
            self._stage_profile(pipe, StoredProfile(new.profile, 1))
        for env in new.events:
            outbox.stage(pipe, keys.SERVICE, keys.DIR, env)
        for entry in new.audit:
            audit.stage(pipe, entry)

    def _stage_profile(self, pipe: Any, stored: StoredProfile) -> None:
        doc = {"version": stored.version, "profile": stored.profile.model_dump(mode="json")}
        pipe.set(keys.provider(stored.profile.user_id), _json(doc))
        pipe.sadd(keys.PROVIDERS, stored.profile.user_id)

    async def change_user(
        self, user_id: str, decide: Callable[[User, StoredProfile | None], Change]
    ) -> tuple[User, StoredProfile | None]:
        """Apply `decide` to the current user and profile, atomically with its events.

        `decide` may raise (e.g. NotAllowed) and may run more than once when another
        writer got in between; raises NotFound if there is no such user.
        """
        watched = [keys.user(user_id), keys.provider(user_id)]
        for _ in range(_ATTEMPTS):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(*watched)
                    raw_user, raw_profile = await pipe.mget(watched)
                    if raw_user is None:
                        raise NotFound("no such user")
                    user = User.model_validate_json(as_bytes(raw_user))
                    profile = _profile(raw_profile)
                    change = decide(user, profile)
                    if change.empty:
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return user, profile
                    pipe.multi()  # type: ignore[no-untyped-call]
                    if change.user is not None:
                        pipe.set(keys.user(user_id), change.user.model_dump_json())
                    if change.profile is not None:
                        self._stage_profile(pipe, change.profile)
                    for env in change.events:
                        outbox.stage(pipe, keys.SERVICE, keys.DIR, env)
                    for entry in change.audit:
                        audit.stage(pipe, entry)
                    await pipe.execute()
                except WatchError:
                    continue
            if change.events:
                await self._relay.notify(keys.DIR)
            return change.user or user, change.profile or profile
        raise ConcurrentChange("too many concurrent changes to this account; try again")

    # -- providers -------------------------------------------------------------------------

    async def get_profile(self, user_id: str) -> StoredProfile | None:
        return _profile(await self._redis.get(keys.provider(user_id)))

    async def list_profiles(self) -> list[tuple[User, StoredProfile]]:
        ids = sorted(_text(m) for m in await self._redis.smembers(keys.PROVIDERS))
        if not ids:
            return []
        users = await self._redis.mget([keys.user(i) for i in ids])
        profiles = await self._redis.mget([keys.provider(i) for i in ids])
        result = []
        for raw_user, raw_profile in zip(users, profiles, strict=True):
            stored = _profile(raw_profile)
            if raw_user is not None and stored is not None:
                result.append((User.model_validate_json(as_bytes(raw_user)), stored))
        return result

    async def user_with_profile(self, user_id: str) -> tuple[User, StoredProfile] | None:
        raw_user, raw_profile = await self._redis.mget([keys.user(user_id), keys.provider(user_id)])
        stored = _profile(raw_profile)
        if raw_user is None or stored is None:
            return None
        return User.model_validate_json(as_bytes(raw_user)), stored

    # -- contact channel (sealed; only the user reads it) --------------------------------------

    async def set_contact(self, user_id: str, contact: str | None, entry: AuditEntry) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            if contact:
                pipe.set(keys.contact(user_id), self._vault.seal(Purpose.CONTACT, contact.encode(), user_id))
            else:
                pipe.delete(keys.contact(user_id))
            audit.stage(pipe, entry)
            await pipe.execute()

    async def get_contact(self, user_id: str) -> str:
        raw = await self._redis.get(keys.contact(user_id))
        return "" if raw is None else self._vault.open(Purpose.CONTACT, _text(raw), user_id).decode()


def _json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


def _profile(raw: Any) -> StoredProfile | None:
    if raw is None:
        return None
    doc = json.loads(as_bytes(raw))
    return StoredProfile(ProviderProfile.model_validate(doc["profile"]), int(doc["version"]))
