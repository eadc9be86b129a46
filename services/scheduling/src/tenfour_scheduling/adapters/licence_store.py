"""Clinicians' licences and the queue of expiry warnings.

* ``{clinician_id}`` (the provider slot): ``licences`` (a hash of Licence bytes by id). The
  slot search reads it in the same script as the rest of the provider's snapshot; a change is
  written in one script with the ``clinician_licensure_changed`` event.
* ``{licensure}``: a sorted set of due warnings (``warn|clinician|licence|ms``); taking one and
  writing its event is one script, so each goes out once.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour_scheduling.adapters.change_log import noted
from tenfour_scheduling.adapters.due_queue import DueQueue
from tenfour_scheduling.adapters.keys import SERVICE, STAMP_LUA, ProviderKeys, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["LicenceStore", "licences_key"]

TAG = "licensure"

# KEYS: 1 licences, 2 outbox, 3 the clinician's stamp (a search reads the licences)
# ARGV: 1 id, 2 bytes ("" = remove), 3-5 the outbox triple
_WRITE = """
if ARGV[2] == '' then
  if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
outbox_add(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
bump_stamp(KEYS[3])
return 1
"""


def licences_key(clinician_id: str) -> str:
    return keys("licences", clinician_id)


def decode_licences(raws: list[bytes]) -> list[lpb.Licence]:
    out = []
    for raw in raws:
        lic = lpb.Licence()
        lic.ParseFromString(raw)
        out.append(lic)
    return out


class LicenceStore(DueQueue):
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        super().__init__(redis, relay, name="licence", tag=TAG)
        self._write = redis.register_script(outbox.LUA_PRELUDE + STAMP_LUA + _WRITE)

    async def licences(self, clinician_id: str) -> list[lpb.Licence]:
        raws = await self._redis.hvals(licences_key(clinician_id))
        return decode_licences([as_bytes(r) for r in raws])

    async def put(self, licence: lpb.Licence, event: Envelope) -> None:
        await self._apply(licence.clinician_id, licence.licence_id, licence.SerializeToString(), event)

    async def remove(self, clinician_id: str, licence_id: str, event: Envelope) -> bool:
        return await self._apply(clinician_id, licence_id, b"", event)

    async def _apply(self, clinician_id: str, licence_id: str, data: bytes, event: Envelope) -> bool:
        done = await noted(
            self._redis,
            self._write,
            clinician_id,
            keys=[
                licences_key(clinician_id),
                outbox_key(SERVICE, clinician_id),
                ProviderKeys(clinician_id).stamp,
            ],
            args=[licence_id, data, *outbox.script_args(event)],
        )
        if done:
            await self._relay.notify(clinician_id)
        return bool(done)
