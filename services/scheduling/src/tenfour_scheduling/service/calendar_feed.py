"""A per-user iCalendar feed behind an unguessable, revocable token (only its hash is kept).

Titles are neutral ("Appointment": no provider name, no word "therapy"); each event carries
VALARMs at the user's reminder times (``ReminderService.times``: the agency's offsets, moved
out of an officer's shifts and protected sleep), as absolute triggers.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Appointments, FeedTokens
from tenfour_scheduling.service.reminders import ReminderService
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import NotFound

__all__ = ["CalendarFeedService", "url_path"]

PAST = timedelta(days=30)
TITLE = "Appointment"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
_SHOWN = {
    AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
    AppointmentStatus.APPOINTMENT_STATUS_ARRIVED,
    AppointmentStatus.APPOINTMENT_STATUS_FULFILLED,
}
_OFFICER_ROLES = {Role.OFFICER.value, Role.PEER_SUPPORTER.value}
_PROVIDER_ROLES = {Role.THERAPIST.value, Role.PEER_SUPPORTER.value}


def url_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with a leading space."""
    out: list[str] = []
    raw = line.encode()
    while len(raw) > 75:
        cut = 75 if not out else 74
        while raw[cut] & 0xC0 == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode())
        raw = raw[cut:]
    out.append(raw.decode())
    return "\r\n ".join(out)


def feed_uid(user_id: str, appointment_id: str) -> str:
    """Stable in one person's feed (so calendar apps update the event), different in every
    other feed: the officer's and the provider's copies of a session cannot be matched, and the
    appointment id never leaves Tenfour."""
    digest = hashlib.sha256(f"{user_id}\x00{appointment_id}".encode()).hexdigest()[:32]
    return f"{digest}@tenfour.invalid"


class CalendarFeedService:
    def __init__(
        self, tokens: FeedTokens, store: Appointments, reminders: ReminderService, clock: Clock
    ) -> None:
        self._tokens = tokens
        self._store = store
        self._reminders = reminders
        self._clock = clock

    async def issue(self, caller: Principal) -> str:
        token = secrets.token_urlsafe(32)
        await self._tokens.issue(caller.subject, caller.role.value, token)
        return token

    async def revoke(self, caller: Principal) -> None:
        await self._tokens.revoke(caller.subject)

    async def feed(self, token: str) -> str:
        owner = await self._tokens.owner(token) if _TOKEN.match(token) else None
        if owner is None:
            raise NotFound("no such calendar feed")
        user_id, role = owner
        now = self._clock()
        ids: set[str] = set()
        if role in _OFFICER_ROLES:
            ids.update(await self._store.officer_index(user_id, now - PAST, None))
        if role in _PROVIDER_ROLES:
            ids.update(await self._store.provider_index(user_id, now - PAST, None))
        found = [s.appointment for s in await self._store.get_many(sorted(ids))]
        shown = sorted(
            (
                a
                for a in found
                if a.status in _SHOWN and (user_id in a.officer_ids or user_id == a.provider_id)
            ),
            key=lambda a: (a.time.start.seconds, a.appointment_id),
        )
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tenfour//Calendar//EN", "CALSCALE:GREGORIAN"]
        for a in shown:
            lines += await self._event(user_id, a, now)
        lines.append("END:VCALENDAR")
        return "".join(_fold(line) + "\r\n" for line in lines)

    async def _event(self, user_id: str, a: Appointment, now: datetime) -> list[str]:
        start = a.time.start.ToDatetime(tzinfo=UTC)
        end = a.time.end.ToDatetime(tzinfo=UTC)
        lines = [
            "BEGIN:VEVENT",
            f"UID:{feed_uid(user_id, a.appointment_id)}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(end)}",
            f"SUMMARY:{TITLE}",
            "CLASS:PRIVATE",
            f"SEQUENCE:{a.version}",
            "STATUS:CONFIRMED",
        ]
        if start > now:
            for _, at in await self._reminders.times(user_id, a):
                lines += [
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    f"DESCRIPTION:{TITLE}",
                    f"TRIGGER;VALUE=DATE-TIME:{_stamp(at)}",
                    "END:VALARM",
                ]
        lines.append("END:VEVENT")
        return lines
