"""Appointments in Redis: the booking scripts (the reads are appointment_reads.py).

A booking touches two hash slots, the officer's and the provider's, so it is a reservation in
two phases, each one Lua script (atomic, and valid on Redis Cluster):

1. ``claim``  (officer slot): idempotency record + re-check of the officer's calendar, daily
   limit and roster version + a claim on the officer's calendar that dies at a deadline.
2. ``commit`` (provider slot): re-check of the provider's calendar, buffers, caps and the
   versions of the read models the check used + the appointment, its calendar entries and its
   event in the outbox. This is the booking's single commit point; it refuses past the claim's
   deadline, so a claim found expired (and without appointment) is provably dead.
3. ``sync``   (officer slot): the claim becomes the booked entry, the idempotency record
   keeps the result. Also replayed from the appointment's own events, so a crash before it
   only delays it.

Until phase 3 the officer's time is held by the claim, so the officer is never double-booked;
the provider's time is only ever taken in phase 2. A refusal in phase 2 releases the claim.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC
from importlib import resources

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.adapters.appointment_reads import AppointmentReads
from tenfour_scheduling.adapters.calendars import parse_member
from tenfour_scheduling.adapters.change_log import noted
from tenfour_scheduling.adapters.keys import STAMP_LUA, OfficerKeys, ProviderKeys
from tenfour_scheduling.adapters.snapshots import LONGEST_ENTRY_MS
from tenfour_scheduling.domain.records import (
    CLAIM_TTL_MS,
    CalendarEntry,
    Claim,
    Commit,
    Reply,
    StoredAppointment,
    to_ms,
)
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["AppointmentStore", "Claim", "Commit", "Reply", "StoredAppointment"]

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_SYNCED_KEPT = 8192  # recent syncs remembered (officer, appointment) -> (version, occupying)


def _reply(raw: Sequence[object]) -> Reply:
    parts = [as_bytes(v) for v in raw]
    return Reply(parts[0].decode(), tuple(parts[1:]))


class AppointmentStore(AppointmentReads):
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        package = __package__ or ""
        prelude = (
            outbox.LUA_PRELUDE
            + STAMP_LUA
            + resources.files(package).joinpath("calendar_prelude.lua").read_text("utf-8")
        )
        self._claim = load_script(redis, package, "claim.lua", prelude)
        self._release = load_script(redis, package, "release.lua", prelude)
        self._sync = load_script(redis, package, "sync.lua", prelude)
        self._commit = load_script(redis, package, "commit.lua", prelude)
        self._transition = load_script(redis, package, "transition.lua", prelude)
        self._seat = load_script(redis, package, "seat.lua", prelude)
        self._synced: OrderedDict[tuple[str, str], tuple[int, bool]] = OrderedDict()

    async def now_ms(self) -> int:
        seconds, micros = await self._redis.time()
        return int(seconds) * 1000 + int(micros) // 1000

    # -- phase 1 and its undo ---------------------------------------------------------------

    async def claim(self, c: Claim) -> Reply:
        k = OfficerKeys(c.officer_id)
        raw = await noted(
            self._redis,
            self._claim,
            c.officer_id,
            keys=[
                k.idempotency(c.idempotency or "none"),
                k.calendar,
                k.spans,
                k.roster,
                k.state,
                k.provider_calendar,
                k.stamp,
            ],
            args=[
                c.fingerprint,
                c.member,
                c.appointment_id,
                to_ms(c.time.start),
                to_ms(c.time.end),
                to_ms(c.probe.start),
                to_ms(c.probe.end),
                to_ms(c.day.start),
                to_ms(c.day.end),
                c.max_per_day,
                c.roster_version,
                CLAIM_TTL_MS,
                c.skip,
                IDEMPOTENCY_TTL_SECONDS,
                c.provider_id,
                LONGEST_ENTRY_MS,
            ],
        )
        return _reply(raw)

    async def release(self, officer_id: str, member: str, appointment_id: str, idempotency: str = "") -> None:
        k = OfficerKeys(officer_id)
        await noted(
            self._redis,
            self._release,
            officer_id,
            keys=[k.calendar, k.spans, k.idempotency(idempotency or "none"), k.stamp],
            args=[member, appointment_id],
        )

    async def claim_entry(self, officer_id: str, member: str) -> CalendarEntry | None:
        """The officer's calendar entry named ``member`` (a claim or a booked session)."""
        k = OfficerKeys(officer_id)
        raw = await self._redis.hget(k.spans, member)
        if raw is None:
            return None
        score = await self._redis.zscore(k.calendar, as_bytes(raw))
        return None if score is None else parse_member(as_bytes(raw).decode(), int(score))

    async def idempotency_record(self, officer_id: str, idempotency: str) -> dict[str, bytes]:
        raw = await self._redis.hgetall(OfficerKeys(officer_id).idempotency(idempotency))
        return {as_bytes(k).decode(): as_bytes(v) for k, v in raw.items()}

    # -- phase 2 and status changes ---------------------------------------------------------

    async def commit(self, c: Commit) -> Reply:
        a = c.appointment
        k = ProviderKeys(a.provider_id)
        raw = await noted(
            self._redis,
            self._commit,
            a.provider_id,
            then=lambda pipe: self._relay.queue_index(pipe, k.tag),
            keys=[
                k.appointment(a.appointment_id),
                k.calendar,
                k.spans,
                k.index,
                k.rules,
                k.profile,
                k.roster,
                k.outbox,
                k.officer_calendar,
                k.stamp,
            ],
            args=[
                c.mode,
                a.appointment_id,
                c.expected_version,
                c.rules_version,
                c.profile_version,
                c.roster_version,
                to_ms(a.time.start.ToDatetime(tzinfo=UTC)),
                to_ms(a.time.end.ToDatetime(tzinfo=UTC)),
                to_ms(c.probe.start),
                to_ms(c.probe.end),
                to_ms(c.day.start),
                to_ms(c.day.end),
                c.day_cap,
                to_ms(c.week.start),
                to_ms(c.week.end),
                c.week_cap,
                c.deadline_ms,
                a.SerializeToString(),
                a.status,
                a.version,
                LONGEST_ENTRY_MS,
                *outbox.script_args(c.event),
            ],
        )
        reply = _reply(raw)
        if reply.code == "ok":
            self._relay.wake()  # the outbox was indexed with the write
        return reply

    async def transition(
        self, new: Appointment, expected_version: int, occupying: bool, event: Envelope
    ) -> bool:
        """Compare-and-set on the version; False when someone else changed it first."""
        k = ProviderKeys(new.provider_id)
        raw = await noted(
            self._redis,
            self._transition,
            new.provider_id,
            then=lambda pipe: self._relay.queue_index(pipe, k.tag),
            keys=[k.appointment(new.appointment_id), k.calendar, k.spans, k.outbox, k.stamp],
            args=[
                new.appointment_id,
                expected_version,
                new.version,
                new.status,
                int(occupying),
                new.SerializeToString(),
                *outbox.script_args(event),
            ],
        )
        ok = _reply(raw).code == "ok"
        if ok:
            self._relay.wake()  # the outbox was indexed with the write
        return ok

    async def seat(self, new: Appointment, expected_version: int, deadline_ms: int, event: Envelope) -> str:
        """Change a group session's seats: compare-and-set on the version, refused past the
        claim's deadline (``deadline_ms`` 0: none). Returns ok | stale | expired."""
        k = ProviderKeys(new.provider_id)
        raw = await self._seat(
            keys=[k.appointment(new.appointment_id), k.outbox],
            args=[
                expected_version,
                new.version,
                new.status,
                new.SerializeToString(),
                deadline_ms,
                *outbox.script_args(event),
            ],
        )
        code = _reply(raw).code
        if code == "ok":
            await self._relay.notify(k.tag)
        return code

    # -- phase 3 ----------------------------------------------------------------------------

    async def sync(
        self,
        officer_id: str,
        appointment: Appointment,
        occupying: bool,
        *,
        drop_member: str = "",
        idempotency: str = "",
        result: bytes = b"",
    ) -> None:
        k = OfficerKeys(officer_id)
        await noted(
            self._redis,
            self._sync,
            officer_id,
            keys=[
                k.calendar,
                k.spans,
                k.index,
                k.seen,
                k.state,
                k.idempotency(idempotency or "none"),
                k.stamp,
            ],
            args=[
                appointment.appointment_id,
                appointment.version,
                to_ms(appointment.time.start.ToDatetime(tzinfo=UTC)),
                to_ms(appointment.time.end.ToDatetime(tzinfo=UTC)),
                int(occupying),
                appointment.provider_id,
                drop_member,
                result,
            ],
        )
        # The script ran to its end: this version is on the officer's calendar (versions only
        # move forward there, so re-applying it later would change nothing).
        self._synced[(officer_id, appointment.appointment_id)] = (appointment.version, occupying)
        self._synced.move_to_end((officer_id, appointment.appointment_id))
        if len(self._synced) > _SYNCED_KEPT:
            self._synced.popitem(last=False)

    def synced(self, officer_id: str, appointment_id: str, version: int, occupying: bool) -> bool:
        """Whether this process's last sync of the appointment for the officer was this very
        version (and occupancy): a mirror of its own event then has nothing to do."""
        return self._synced.get((officer_id, appointment_id)) == (version, occupying)
