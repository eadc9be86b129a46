"""Redis key names. Every key starts with `notifications:` (the service's ACL user owns only
those). The delivery queue, its jobs and the delivery logs share the `{q}` hash tag so each
state change is one atomic script (also on Redis Cluster, in one slot: deliveries are small)."""

from __future__ import annotations

from tenfour_shared.redis_store import Keys

SERVICE = "notifications"
keys = Keys(SERVICE)
Q = "q"


def job(key: str) -> str:
    return keys("job", Q, key)


JOB_PREFIX = f"{SERVICE}:job:{{{Q}}}:"
DUE = keys("due", Q)
DEAD = keys("dead", Q)


def log(user_id: str) -> str:
    return keys("log", Q, user_id)
