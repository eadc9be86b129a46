"""Wellness check-in campaigns, all in the agency's slot (``{agency_id}``): the campaigns (a
hash of Campaign by id), their window ends (a plain hash scripts can read), the agency's enrolled
officers (from identity's registrations), each campaign's invited officers and those already
told (by the launch or their own event), and who booked which check-in.

Launching writes the campaign, its invited set and the ``campaign_launched`` event in one
script. An officer enrolling is added to the officers and, in the same script, to every campaign
still open, so an enrolment racing a launch is invited exactly once either way; the event that
tells them is then written (once) by a second script, retried with the identity event."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import campaigns_pb2 as cpb
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["CampaignStore"]

# KEYS: 1 campaigns, 2 officers, 3 invited, 4 outbox, 5 ends, 6 told
# ARGV: 1 id, 2 campaign, 3-5 outbox triple, 6 window end (ms)
_LAUNCH = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[6])
local officers = redis.call('SMEMBERS', KEYS[2])
for i = 1, #officers, 1000 do
  redis.call('SADD', KEYS[3], unpack(officers, i, math.min(i + 999, #officers)))
  redis.call('SADD', KEYS[6], unpack(officers, i, math.min(i + 999, #officers)))
end
outbox_add(KEYS[4], ARGV[3], ARGV[4], ARGV[5])
return 1
"""

# KEYS: 1 officers, 2 ends, then per campaign its invited and told sets
# ARGV: 1 officer, 2 now (ms), then the campaign ids in KEYS' order. Every campaign must be
# named (campaigns are never deleted, so equal counts mean the same set); else nil: read again.
# Returns the open campaigns the officer is invited to but was not told about yet.
_ENROL = """
if redis.call('HLEN', KEYS[2]) ~= #ARGV - 2 then return nil end
redis.call('SADD', KEYS[1], ARGV[1])
local untold = {}
for i = 3, #ARGV do
  local ends = redis.call('HGET', KEYS[2], ARGV[i])
  local invited, told = KEYS[2 * i - 3], KEYS[2 * i - 2]
  if ends and tonumber(ends) > tonumber(ARGV[2]) then
    redis.call('SADD', invited, ARGV[1])
    if redis.call('SISMEMBER', told, ARGV[1]) == 0 then table.insert(untold, ARGV[i]) end
  end
end
return untold
"""

# KEYS: 1 told, 2 outbox; ARGV: 1 officer, 2-4 outbox triple
_TELL = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  outbox_add(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
end
return 1
"""


class CampaignStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._launch = redis.register_script(outbox.LUA_PRELUDE + _LAUNCH)
        self._enrol = redis.register_script(_ENROL)
        self._tell = redis.register_script(outbox.LUA_PRELUDE + _TELL)

    @staticmethod
    def _campaigns(agency_id: str) -> str:
        return keys("campaigns", agency_id)

    @staticmethod
    def _officers(agency_id: str) -> str:
        return keys("agency-officers", agency_id)

    @staticmethod
    def _invited(agency_id: str, campaign_id: str) -> str:
        return keys("campaign-invited", agency_id, campaign_id)

    @staticmethod
    def _ends(agency_id: str) -> str:
        return keys("campaign-ends", agency_id)

    @staticmethod
    def _told(agency_id: str, campaign_id: str) -> str:
        return keys("campaign-told", agency_id, campaign_id)

    @staticmethod
    def _booked(agency_id: str, campaign_id: str) -> str:
        return keys("campaign-booked", agency_id, campaign_id)

    async def add_officer(self, agency_id: str, officer_id: str, now_ms: int) -> list[str]:
        while True:  # a launch between the read and the script: read again
            ids = sorted(as_bytes(c).decode() for c in await self._redis.hkeys(self._ends(agency_id)))
            per_campaign = [k for c in ids for k in (self._invited(agency_id, c), self._told(agency_id, c))]
            untold = await self._enrol(
                keys=[self._officers(agency_id), self._ends(agency_id), *per_campaign],
                args=[officer_id, now_ms, *ids],
            )
            if untold is not None:
                return sorted(as_bytes(c).decode() for c in untold)

    async def tell(self, agency_id: str, campaign_id: str, officer_id: str, event: Envelope) -> None:
        await self._tell(
            keys=[self._told(agency_id, campaign_id), outbox_key(SERVICE, agency_id)],
            args=[officer_id, *outbox.script_args(event)],
        )
        await self._relay.notify(agency_id)

    async def remove_officer(self, agency_id: str, officer_id: str) -> None:
        await self._redis.srem(self._officers(agency_id), officer_id)

    async def members(self, agency_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(self._officers(agency_id)))

    async def is_member(self, agency_id: str, user_id: str) -> bool:
        return bool(await self._redis.sismember(self._officers(agency_id), user_id))

    async def officer_count(self, agency_id: str) -> int:
        return int(await self._redis.scard(self._officers(agency_id)))

    async def launch(self, campaign: cpb.Campaign, event: Envelope) -> None:
        a, c = campaign.agency_id, campaign.campaign_id
        end_ms = campaign.window.end.seconds * 1000
        await self._launch(
            keys=[
                self._campaigns(a),
                self._officers(a),
                self._invited(a, c),
                outbox_key(SERVICE, a),
                self._ends(a),
                self._told(a, c),
            ],
            args=[c, campaign.SerializeToString(), *outbox.script_args(event), end_ms],
        )
        await self._relay.notify(a)

    async def campaigns(self, agency_id: str) -> list[cpb.Campaign]:
        out = []
        for raw in (await self._redis.hgetall(self._campaigns(agency_id))).values():
            campaign = cpb.Campaign()
            campaign.ParseFromString(as_bytes(raw))
            out.append(campaign)
        return out

    async def invited(self, agency_id: str, campaign_id: str) -> list[str]:
        return sorted(
            as_bytes(m).decode() for m in await self._redis.smembers(self._invited(agency_id, campaign_id))
        )

    async def is_invited(self, agency_id: str, campaign_id: str, officer_id: str) -> bool:
        return bool(await self._redis.sismember(self._invited(agency_id, campaign_id), officer_id))

    async def booked(self, agency_id: str, campaign_id: str) -> dict[str, str]:
        raw = await self._redis.hgetall(self._booked(agency_id, campaign_id))
        return {as_bytes(k).decode(): as_bytes(v).decode() for k, v in raw.items()}

    async def set_booked(
        self, agency_id: str, campaign_id: str, officer_id: str, appointment_id: str
    ) -> None:
        await self._redis.hset(self._booked(agency_id, campaign_id), officer_id, appointment_id)
