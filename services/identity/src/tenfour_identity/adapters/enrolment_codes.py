"""Enrolment codes in Redis, looked up by their keyed hash; redemption is one Lua script.

A code is a hash (field per attribute, times in epoch milliseconds) so the script can check
and count it. The agency's totals (codes issued, redemptions) are counters, never a list of
who redeemed: the store cannot answer "who used this code".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_identity.adapters import audit, keys
from tenfour_identity.adapters.audit import AUDIT_PRELUDE, AuditEntry
from tenfour_identity.domain.enrolment import EnrolmentCode, Refusal
from tenfour_identity.domain.errors import AlreadyExists
from tenfour_identity.domain.models import User
from tenfour_shared.events.outbox import LUA_PRELUDE, OutboxRelay, script_args
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["CodeStore"]

_PACKAGE = "tenfour_identity.adapters"
_KEEP_AFTER_EXPIRY = timedelta(days=90)  # then the record goes; the agency's counters stay


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(millis: str) -> datetime:
    return datetime.fromtimestamp(int(millis) / 1000, UTC)


def _record(code_hash: str, raw: dict[Any, Any]) -> EnrolmentCode:
    f = {as_bytes(k).decode(): as_bytes(v).decode() for k, v in raw.items()}
    return EnrolmentCode(
        id=f["id"],
        agency_id=f["agency_id"],
        role=f["role"],
        code_hash=code_hash,
        max_uses=int(f["max_uses"]),
        uses=int(f["uses"]),
        created_by=f["created_by"],
        created_at=_moment(f["created_at"]),
        expires_at=_moment(f["expires_at"]),
        revoked_at=_moment(f["revoked_at"]) if f["revoked_at"] else None,
        label=f["label"],
    )


class CodeStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._redeem = load_script(redis, _PACKAGE, "code_redeem.lua", LUA_PRELUDE + AUDIT_PRELUDE)
        # Only a record that still exists (never a half record), and only the first time.
        self._revoke = redis.register_script(
            "if redis.call('HGET', KEYS[1], 'revoked_at') ~= '' then return 0 end "
            "redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1]) return 1"
        )

    async def create(self, code: EnrolmentCode, entry: AuditEntry) -> None:
        key = keys.code(code.code_hash)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "id": code.id,
                    "agency_id": code.agency_id,
                    "role": code.role.value,
                    "max_uses": code.max_uses,
                    "uses": code.uses,
                    "created_by": code.created_by,
                    "created_at": _ms(code.created_at),
                    "expires_at": _ms(code.expires_at),
                    "revoked_at": "" if code.revoked_at is None else _ms(code.revoked_at),
                    "label": code.label,
                },
            )
            pipe.pexpireat(key, _ms(code.expires_at + _KEEP_AFTER_EXPIRY))
            pipe.hset(keys.agency_codes(code.agency_id), code.id, code.code_hash)
            pipe.hincrby(keys.code_stats(code.agency_id), "issued", 1)
            audit.stage(pipe, entry)
            await pipe.execute()

    async def get(self, code_hash: str) -> EnrolmentCode | None:
        raw = await self._redis.hgetall(keys.code(code_hash))
        return _record(code_hash, raw) if raw else None

    async def of_agency(self, agency_id: str) -> list[EnrolmentCode]:
        """The agency's codes still on record; index entries of records gone are dropped."""
        index = keys.agency_codes(agency_id)
        hashes = {
            as_bytes(k).decode(): as_bytes(v).decode() for k, v in (await self._redis.hgetall(index)).items()
        }
        found: list[EnrolmentCode] = []
        async with self._redis.pipeline(transaction=False) as pipe:
            for code_hash in hashes.values():
                pipe.hgetall(keys.code(code_hash))
            raws = await pipe.execute()
        gone = []
        for (code_id, code_hash), raw in zip(hashes.items(), raws, strict=True):
            if raw:
                found.append(_record(code_hash, raw))
            else:
                gone.append(code_id)
        if gone:
            await self._redis.hdel(index, *gone)
        return found

    async def hash_of(self, agency_id: str, code_id: str) -> str | None:
        raw = await self._redis.hget(keys.agency_codes(agency_id), code_id)
        return None if raw is None else as_bytes(raw).decode()

    async def revoke(self, code: EnrolmentCode, entry: AuditEntry) -> None:
        """Store `code`'s revocation (the redeem script refuses it from then on) with its audit."""
        assert code.revoked_at is not None
        if await self._revoke(keys=[keys.code(code.code_hash)], args=[_ms(code.revoked_at)]):
            await audit.AuditLog(self._redis).append(entry)

    async def redeem(
        self,
        code_hash: str,
        *,
        user: User,
        password_hash: str,
        event: Envelope,
        entry: AuditEntry,
        now: datetime,
    ) -> Refusal | None:
        """Consume one use and create `user`; the refusal if the code cannot be used.

        Raises AlreadyExists if the username was taken meanwhile (the code is not consumed).
        """
        assert user.agency_id is not None
        reply = await self._redeem(
            keys=[
                keys.code(code_hash),
                keys.login_name(user.username),
                keys.user(user.id),
                keys.credentials(user.id),
                keys.code_stats(user.agency_id),
                keys.OUTBOX,
                keys.AUDIT,
            ],
            args=[
                _ms(now),
                user.agency_id,
                user.id,
                user.model_dump_json(),
                password_hash,
                *script_args(event),
                *entry.script_args(),
            ],
        )
        outcome = as_bytes(reply[0]).decode()
        if outcome == "taken":
            raise AlreadyExists("username is taken")
        if outcome == "refused":
            return Refusal(as_bytes(reply[1]).decode())
        await self._relay.notify(keys.DIR)
        return None

    async def stats(self, agency_id: str) -> tuple[int, int]:
        """(codes issued, redemptions) of an agency."""
        issued, redeemed = await self._redis.hmget(keys.code_stats(agency_id), ["issued", "redeemed"])
        return int(issued or 0), int(redeemed or 0)
