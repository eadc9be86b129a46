"""The notices an event gives, as a registry: event type -> template, recipients, category
(which of the recipient's channels it may use), and whether it is urgent.

- reminder due: the officer (reminders), with the session's provider and start.
- roster conflict: the officer (changes).
- urgent offered: every provider it was offered to (urgent: sound, ignores quiet hours);
  assigned: the provider (urgent) and the officer (in-app, push), then withdrawn from the
  pages of the other providers it was offered to.
- urgent escalated: the officer (in-app only: the crisis line), the agency's admins (urgent),
  then the agency's webhook.
- a peer's required training lapsing within 30 days, and lapsed; a clinician's licence
  expiring within 30 days: the person and their agency's admins (a clinician's: the admins of
  every agency they serve) (account), in neutral words;
  what lapses is shown only in the app.
- a wellness check-in campaign launched: every officer of the agency (reminders: it is about
  booking time with someone); an officer who enrols while it is open: that officer.
- a referral proposed: the officer (changes), told a suggestion waits, nothing more; a referral
  agreed to: each clinician whose queue it entered (changes; for the pool, every clinician who
  could see the officer, as scheduling lists them); times asked for on a referral: the same
  (changes); times proposed: the officer
  (changes), told times wait in the app (never which, nor with whom).
- a provider's calendar subscription paused after failing: the provider (account).

Appointment changes, the waiting room and withdrawn offers depend on what changed: the router
decides those (service/router.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from tenfour_notifications.domain.model import Category, Channel, Intent
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.ports import Directory, Live

__all__ = ["NOTICES", "After", "Audience", "Entry", "Notice", "Notices", "Said"]


class Audience(Enum):
    PERSON = "the person the event is about"
    OFFICER = "the officer the event names"
    NAMED = "everyone the event names"
    ADMINS = "the agency's admins"
    OFFICERS = "the agency's officers"


class After(Enum):
    """What else the event does once its notices are out."""

    WITHDRAW_FROM_OTHERS = "take the offer off the other providers' pages"
    AGENCY_WEBHOOK = "call the agency's webhook"


class Start(Enum):
    """Where the session's start (and provider) comes from: the event names an appointment."""

    EVENT = "the event's start, else the stored appointment's; the provider is named"
    STORED = "the stored appointment's start, else the event's"


@dataclass(frozen=True)
class Notice:
    template: str
    category: Category
    to: Audience
    urgent: bool = False
    only: frozenset[Channel] | None = None
    facts: tuple[str, ...] = ()  # the event's facts this template may word


@dataclass(frozen=True)
class Entry:
    notices: tuple[Notice, ...]
    start: Start | None = None  # None: the stored appointment is not read
    after: After | None = None


@dataclass(frozen=True)
class Said:
    """What an event says, ids already checked at the edge."""

    person: str = ""
    officer: str = ""
    named: tuple[str, ...] = ()
    agency_id: str = ""
    other_agencies: tuple[str, ...] = ()  # further agencies whose admins are told (ADMINS)
    appointment_id: str = ""
    request_id: str = ""
    starts_at: datetime | None = None
    facts: dict[str, str] = field(default_factory=dict)


def _account(kind: str) -> tuple[Notice, ...]:
    return (
        Notice(f"{kind}_provider", Category.ACCOUNT, Audience.PERSON),
        Notice(f"{kind}_admin", Category.ACCOUNT, Audience.ADMINS),
    )


_INVITATION = Notice("campaign_invitation", Category.REMINDERS, Audience.OFFICERS, facts=("attendance",))

NOTICES: dict[str, Entry] = {
    "scheduling.reminder_due": Entry(
        (Notice("reminder", Category.REMINDERS, Audience.PERSON, facts=("provider_id",)),), start=Start.EVENT
    ),
    "scheduling.appointment_conflict_detected": Entry(
        (Notice("appointment_conflict", Category.CHANGES, Audience.PERSON),), start=Start.STORED
    ),
    "scheduling.urgent_offered": Entry(
        (Notice("urgent_offered", Category.URGENT, Audience.NAMED, urgent=True),)
    ),
    "scheduling.urgent_assigned": Entry(
        (
            Notice("urgent_assigned_provider", Category.URGENT, Audience.PERSON, urgent=True),
            Notice(
                "urgent_assigned_officer",
                Category.URGENT,
                Audience.OFFICER,
                only=frozenset({Channel.IN_APP, Channel.WEB_PUSH}),
            ),
        ),
        after=After.WITHDRAW_FROM_OTHERS,
    ),
    "scheduling.urgent_escalation": Entry(
        (
            # The crisis line's own name may say "crisis": in the app only, never a lock screen.
            Notice(
                "urgent_escalated_officer",
                Category.URGENT,
                Audience.OFFICER,
                only=frozenset({Channel.IN_APP}),
                facts=("crisis_line_text",),
            ),
            Notice(
                "urgent_escalated_admin", Category.URGENT, Audience.ADMINS, urgent=True, facts=("case_code",)
            ),
        ),
        after=After.AGENCY_WEBHOOK,
    ),
    "scheduling.peer_training_lapsing": Entry(_account("training_lapsing")),
    "scheduling.peer_training_lapsed": Entry(_account("training_lapsed")),
    "scheduling.licence_expiring": Entry(_account("licence_expiring")),
    "scheduling.campaign_launched": Entry((_INVITATION,)),
    "scheduling.campaign_invitation_added": Entry((replace(_INVITATION, to=Audience.PERSON),)),
    "scheduling.referral_proposed": Entry((Notice("referral_proposed", Category.CHANGES, Audience.PERSON),)),
    "scheduling.referral_queued": Entry((Notice("referral_queued", Category.CHANGES, Audience.NAMED),)),
    "scheduling.referral_times_requested": Entry(
        (Notice("referral_times_requested", Category.CHANGES, Audience.NAMED),)
    ),
    "scheduling.referral_times_proposed": Entry(
        (Notice("referral_times_proposed", Category.CHANGES, Audience.PERSON),)
    ),
    "availability.busy_calendar_feed_paused": Entry(
        (Notice("calendar_feed_paused", Category.ACCOUNT, Audience.PERSON),)
    ),
}


class Notices:
    """Gives each event's notices from the registry."""

    def __init__(self, directory: Directory, dispatcher: Dispatcher, live: Live) -> None:
        self._directory = directory
        self._dispatcher = dispatcher
        self._live = live

    async def notify(self, event_type: str, event_id: str, at: datetime, said: Said) -> None:
        entry = NOTICES[event_type]
        starts_at, facts = said.starts_at, dict(said.facts)
        if entry.start is not None and said.appointment_id:
            starts_at, facts = await self._appointment(entry.start, said, facts)
        intents: list[Intent] = []
        for notice in entry.notices:
            worded = {k: facts[k] for k in notice.facts if k in facts}
            intents.extend(
                Intent(
                    notice.template,
                    notice.category,
                    recipient,
                    urgent=notice.urgent,
                    appointment_id=said.appointment_id,
                    request_id=said.request_id,
                    starts_at=starts_at,
                    facts=worded,
                    only=notice.only,
                )
                for recipient in await self._recipients(notice.to, said)
                if recipient
            )
        await self._dispatcher.dispatch(event_id, at, intents)
        if entry.after is After.WITHDRAW_FROM_OTHERS:
            for other in said.named:
                if other != said.person:
                    await self._live.withdraw(
                        other, "urgent_offered", said.request_id, said.appointment_id, "taken"
                    )
        elif entry.after is After.AGENCY_WEBHOOK:
            body = {
                "type": "urgent_escalation",
                "request_id": said.request_id,
                "agency_id": said.agency_id,
                "case_code": said.facts.get("case_code", ""),
                "occurred_at": at.isoformat(),
            }
            await self._dispatcher.webhook(event_id, at, said.agency_id, body)

    async def _appointment(
        self, start: Start, said: Said, facts: dict[str, str]
    ) -> tuple[datetime | None, dict[str, str]]:
        view = await self._directory.appointment(said.appointment_id)
        if view is None:
            return said.starts_at, facts
        if start is Start.STORED:
            return view.start, facts
        return said.starts_at or view.start, {**facts, "provider_id": view.provider_id}

    async def _recipients(self, audience: Audience, said: Said) -> list[str]:
        match audience:
            case Audience.PERSON:
                return [said.person]
            case Audience.OFFICER:
                return [said.officer]
            case Audience.NAMED:
                return list(said.named)
            case Audience.ADMINS:
                admins: list[str] = []
                for agency in (said.agency_id, *said.other_agencies):
                    admins += [a for a in await self._directory.agency_admins(agency) if a not in admins]
                return admins
            case Audience.OFFICERS:
                return await self._directory.agency_officers(said.agency_id)
