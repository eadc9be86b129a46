"""The change log: one Redis stream noting whose stamp moved, so a search need not read them all.

Every script that moves a stamp (keys.STAMP_LUA) is sent with a note of the stamp's owner
on this stream, in the same round trip, right after it (``noted``); a change of an agency's
provider set is noted as a membership change once the set is written. A search that has
validated an agency's candidate list then reads only the notes after the position it last
saw (search_reads.py): no note of its providers means no stamp of theirs moved, whatever
the agency's size. Notes are few per booking (the officer's and the provider's), the stream
is capped (approximate MAXLEN), and a reader trusts it for a few seconds only before
reading every stamp again, so a note lost with a connection delays a change by at most that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from tenfour_scheduling.adapters.keys import keys

__all__ = ["LOG", "MEMBERSHIP", "OWNER", "noted", "queue_note"]

LOG = keys("changes")
OWNER = b"o"
MEMBERSHIP = b"m"  # present: the owner's agencies changed (an agency's set may have)
MAXLEN = 100_000  # far more than the notes of the seconds a reader trusts the log for


def queue_note(pipe: Any, owner: str, *, membership: bool = False) -> None:
    fields: dict[bytes, bytes | str] = {OWNER: owner}
    if membership:
        fields[MEMBERSHIP] = b"1"
    pipe.xadd(LOG, fields, maxlen=MAXLEN, approximate=True)


async def noted(
    redis: aioredis.Redis,
    script: AsyncScript,
    owner: str,
    *,
    keys: Sequence[str],
    args: Sequence[Any],
    then: Callable[[Any], None] | None = None,
) -> Any:
    """Run a stamp-moving script and note its owner, in one round trip; the script's reply.
    ``then`` queues more commands to run right after (an outbox's index).
    (EVALSHA queued by hand: a pipeline that knows of a script asks SCRIPT EXISTS first, a
    round trip every time; the script is loaded only when Redis says it lacks it.)"""
    for attempt in (1, 2):
        async with redis.pipeline(transaction=False) as pipe:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
            queue_note(pipe, owner)
            if then is not None:
                then(pipe)
            try:
                replies = await pipe.execute()
            except NoScriptError:
                if attempt == 2:
                    raise
                script.sha = await redis.script_load(script.script)
                continue
        return replies[0]
    raise AssertionError("unreachable")
