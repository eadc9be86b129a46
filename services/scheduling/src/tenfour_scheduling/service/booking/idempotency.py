"""Idempotency keys, as Stripe's: a key (per caller, kept 24 h) replays the first result for the
same request and is an error for a different one; while the first attempt runs, a retry is
ABORTED. A refused attempt keeps no result, so the client may retry the key after fixing the
cause. The record itself is written by the claim and completed by the sync (see
adapters/appointment_store.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.service.claims import CLAIM_GRACE_MS, Claims
from tenfour_scheduling.service.ports import Appointments
from tenfour_shared.errors import ConcurrentChange, InvalidInput

__all__ = ["Idempotency", "Key", "digest", "key_reused"]


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]


def key_reused() -> InvalidInput:
    return InvalidInput.single("idempotency_key", "was already used for a different request")


@dataclass(frozen=True, slots=True)
class Key:
    """One request's idempotency key: whose it is, its digest, and the request's fingerprint."""

    officer_id: str
    digest: str
    fingerprint: str


class Idempotency:
    def __init__(self, store: Appointments, claims: Claims) -> None:
        self._store = store
        self._claims = claims

    async def replay(self, key: Key) -> Appointment | None:
        """The first result for this key, None when the key is free (again), or an error."""
        record = await self._store.idempotency_record(key.officer_id, key.digest)
        return await self.replay_record(key, record) if record else None

    async def replay_record(self, key: Key, record: dict[str, bytes]) -> Appointment | None:
        if record.get("fp", b"").decode() != key.fingerprint:
            raise key_reused()
        if record.get("state") == b"done":
            first = Appointment()
            first.ParseFromString(record.get("result", b""))
            return first
        officer_id = key.officer_id
        appointment_id = record.get("appointment_id", b"").decode()
        member = record.get("claim", b"").decode()
        committed = await self._claims.committed(appointment_id, member, officer_id)
        if committed is not None:
            await self._store.sync(
                officer_id,
                committed,
                True,
                drop_member=member,
                idempotency=key.digest,
                result=committed.SerializeToString(),
            )
            return committed
        entry = await self._store.claim_entry(officer_id, member)
        if (
            entry is not None
            and entry.claim
            and entry.deadline_ms + CLAIM_GRACE_MS > await self._store.now_ms()
        ):
            raise ConcurrentChange("a request with this idempotency key is still running; retry shortly")
        await self._store.release(officer_id, member, appointment_id, key.digest)  # a dead attempt
        return None
