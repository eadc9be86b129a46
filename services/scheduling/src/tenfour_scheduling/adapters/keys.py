"""Every Redis key of the scheduling service, grouped by the hash tag that owns it.

Redis Cluster runs a script only on keys of one hash slot, so keys are grouped by the party
whose atomic steps need them together:

* ``{officer_id}``: roster, preferences, officer state, the officer's calendar (claims and
  booked sessions), appointment index, idempotency records and the officer-side outbox.
  Phase 1 of a booking (claim.lua) runs here.
* ``{provider_id}``: the availability and profile read models, the provider's calendar,
  appointment records and index, the provider-side outbox. Phase 2 (commit.lua), every status
  change (transition.lua) and the read-model updates run here. A peer supporter is a provider
  *and* an officer with the same id, so their roster and their own sessions as an officer are
  in this slot too and both phases check them.
* ``{agency_id}``: the fatigue policy, the agency's provider index, the policy outbox.

An appointment id starts with its provider id (``<provider_id>.<16 hex>``), so any holder of
the id finds its record's slot without a directory lookup.
"""

from __future__ import annotations

import re

from tenfour_shared.events.outbox import outbox_key
from tenfour_shared.redis_store import Keys

SERVICE = "scheduling"
keys = Keys(SERVICE)
# A stamp changes with everything a search reads of its owner (read model, roster, readiness,
# calendars), in the script that makes the change. Its values come from Redis' clock and only
# grow, so a stamp never repeats, not even after the key is lost (a flush, a restore): an
# in-process copy kept under a stamp can never answer for different data.
STAMP_LUA = """
local function bump_stamp(key)
  local t = redis.call('TIME')
  local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local old = tonumber(redis.call('GET', key) or '0')
  if v <= old then v = old + 1 end
  redis.call('SET', key, string.format('%.0f', v))
end
"""
# Ids become hash tags, calendar members ("id|end|...") and log fields.
ID = re.compile(r"^[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]{0,127}$")
APPOINTMENT_ID = re.compile(r"^([A-Za-z0-9_:@-][A-Za-z0-9_.:@-]{0,127})\.([0-9a-f]{16})$")


def provider_of(appointment_id: str) -> str | None:
    match = APPOINTMENT_ID.match(appointment_id)
    return match.group(1) if match else None


class OfficerKeys:
    def __init__(self, officer_id: str) -> None:
        o = officer_id
        self.tag = o
        self.roster = keys("roster", o)
        self.preferences = keys("preferences", o)
        self.state = keys("officer", o)
        self.calendar = keys("officer-cal", o)
        self.spans = keys("officer-spans", o)
        self.index = keys("officer-appts", o)
        self.seen = keys("officer-seen", o)
        self.provider_calendar = keys("provider-cal", o)  # when the officer is a peer supporter
        self.stamp = keys("stamp", o)  # the same key as ProviderKeys.stamp of a peer supporter
        self.outbox = outbox_key(SERVICE, o)

    def idempotency(self, digest: str) -> str:
        return keys("idem", self.tag, digest)


class ProviderKeys:
    def __init__(self, provider_id: str) -> None:
        p = provider_id
        self.tag = p
        self.rules = keys("provider-rules", p)  # field "version": read by cross-service tests
        self.applied = keys("applied", p)
        self.profile = keys("provider-profile", p)
        self.calendar = keys("provider-cal", p)
        self.spans = keys("provider-spans", p)
        self.index = keys("provider-appts", p)
        self.roster = keys("roster", p)  # a peer supporter's own roster
        self.officer_calendar = keys("officer-cal", p)  # a peer supporter's own sessions
        # Counts every change of what a search reads of the provider (see snapshots.py).
        self.stamp = keys("stamp", p)
        self.outbox = outbox_key(SERVICE, p)

    def appointment(self, appointment_id: str) -> str:
        return keys("appt", self.tag, appointment_id)


class AgencyKeys:
    def __init__(self, agency_id: str) -> None:
        self.tag = agency_id
        self.policy = keys("policy", agency_id)
        self.providers = keys("agency-providers", agency_id)
        self.outbox = outbox_key(SERVICE, agency_id)
