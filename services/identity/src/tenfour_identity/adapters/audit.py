"""The security audit log: an append-only Redis stream, readable by system admins.

Entries name users and agencies by opaque id only and never carry secrets, names, e-mail
addresses or network addresses (a login source appears, if at all, as a keyed hash). The
stream is never trimmed by the service: retention is an operator decision (HIPAA asks for six
years), made by exporting and trimming with XTRIM MINID outside the service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis

from tenfour_identity.adapters import keys
from tenfour_identity.domain.records import AuditEntry, AuditRecord
from tenfour_shared.redis_store import as_bytes

__all__ = ["AuditEntry", "AuditLog", "AuditRecord"]


AUDIT_PRELUDE = """
local function audit_add(key, kind, user, agency, detail)
  redis.call('XADD', key, '*', 'kind', kind, 'user', user, 'agency', agency, 'detail', detail)
end
"""


def stage(pipe: Any, entry: AuditEntry) -> None:
    """Queue the entry on a MULTI pipeline next to the change it records."""
    pipe.xadd(keys.AUDIT, entry.fields())


class AuditLog:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def append(self, entry: AuditEntry) -> None:
        await self._redis.xadd(keys.AUDIT, entry.fields())  # type: ignore[arg-type]

    async def list(self, *, limit: int, after_id: str = "") -> list[AuditRecord]:
        start = f"({after_id}" if after_id else "-"
        rows = await self._redis.xrange(keys.AUDIT, start, "+", count=limit)
        records = []
        for raw_id, raw_fields in rows or []:
            entry_id = as_bytes(raw_id).decode()
            fields = {as_bytes(k).decode(): as_bytes(v).decode() for k, v in (raw_fields or {}).items()}
            millis = int(entry_id.split("-", 1)[0])
            entry = AuditEntry(
                fields.get("kind", ""),
                fields.get("user", ""),
                fields.get("agency", ""),
                fields.get("detail", ""),
            )
            records.append(AuditRecord(entry_id, datetime.fromtimestamp(millis / 1000, UTC), entry))
        return records
