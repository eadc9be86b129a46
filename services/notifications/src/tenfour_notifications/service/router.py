"""Who is told what, for each event that matters to people (the "recipients" rules).

- reminder due: the officer (reminders).
- booked: the provider, when an officer booked (changes); urgent bookings are told by the
  urgent events instead.
- cancelled: the other side, from the reason (officer_cancelled -> provider, provider_cancelled
  -> officers; anything else, e.g. a deactivated account -> everyone still in it).
- moved (only officers reschedule): the provider.
- a seat released in a group: the officers following it (seats).
- roster conflict: the officer (changes).
- an officer waiting in the waiting room: the provider (waiting room).
- urgent offered: every provider it was offered to (urgent: sound, ignores quiet hours);
  assigned: the provider (urgent) and the officer (in-app, push), withdrawn from the others;
  withdrawn: taken off the pages of those providers (officer cancelled, or they declined);
  escalated: the officer (in-app: the crisis line), the agency's admins (urgent) and the
  agency's webhook.
- a peer's required training lapsing within 30 days, and lapsed: the peer and the agency's
  admins (account).
- a seat in a training session for staff: the officer or peer supporter seated (changes).
- a wellness check-in campaign launched: every officer of the agency (reminders); an officer
  who enrols while it is open: that officer.
"""

from __future__ import annotations

from datetime import datetime

from tenfour_notifications.domain.model import Category, Channel, Intent
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.ports import AppointmentView, Directory, Live, UserInfo

__all__ = ["Router"]

_OFFICER_URGENT_CHANNELS = frozenset({Channel.IN_APP, Channel.WEB_PUSH})


class Router:
    def __init__(self, directory: Directory, dispatcher: Dispatcher, live: Live) -> None:
        self._directory = directory
        self._dispatcher = dispatcher
        self._live = live

    async def reminder_due(
        self, event_id: str, at: datetime, appointment_id: str, user_id: str, start: datetime | None
    ) -> None:
        view = await self._directory.appointment(appointment_id)
        if start is None and view is not None:
            start = view.start
        facts = {"provider_id": view.provider_id} if view is not None else {}
        intent = Intent(
            "reminder",
            Category.REMINDERS,
            user_id,
            appointment_id=appointment_id,
            starts_at=start,
            facts=facts,
        )
        await self._dispatcher.dispatch(event_id, at, [intent])

    async def appointment_changed(
        self, event_id: str, at: datetime, view: AppointmentView, previous: str, reason: str, urgent: bool
    ) -> None:
        before = await self._directory.put_appointment(view)
        intents: list[Intent] = []

        def tell(
            kind: str, users: tuple[str, ...] | list[str], category: Category = Category.CHANGES
        ) -> None:
            intents.extend(
                Intent(
                    kind,
                    category,
                    u,
                    appointment_id=view.appointment_id,
                    starts_at=view.start,
                    facts={"provider_id": view.provider_id},
                )
                for u in users
                if u
            )

        if (
            view.status == "booked"
            and previous in ("", "proposed", "waitlist")
            and not urgent
            and not view.group
        ):
            tell("appointment_booked", [view.provider_id])
        elif view.status == "waitlist" and previous == "":
            # A waiting-list hold: only the officer it is held for hears of it, to confirm.
            tell("waitlist_offered", view.officer_ids)
        elif view.status == "cancelled" and previous == "waitlist":
            pass  # a hold declined or run out: nobody else ever heard of it
        elif view.status == "cancelled" and previous != "cancelled":
            if reason == "officer_cancelled":
                tell("appointment_cancelled", [view.provider_id])
            elif reason == "provider_cancelled":
                tell("appointment_cancelled", view.officer_ids)
            else:
                tell("appointment_cancelled", [view.provider_id, *view.officer_ids])
        elif view.group and reason == "training_seated":
            seated = [u for u in view.officer_ids if before is None or u not in before.officer_ids]
            tell("training_seated", seated)
        elif view.group and view.status == "booked" and before is not None:
            freed = len(view.officer_ids) < len(before.officer_ids) and len(view.officer_ids) < view.capacity
            if freed:
                followers = [
                    u
                    for u in await self._directory.followers(view.appointment_id)
                    if u not in view.officer_ids
                ]
                tell("seat_freed", followers, Category.SEATS)
        await self._dispatcher.dispatch(event_id, at, intents)

    async def appointment_moved(self, event_id: str, at: datetime, view: AppointmentView) -> None:
        await self._directory.put_appointment(view)
        intent = Intent(
            "appointment_moved",
            Category.CHANGES,
            view.provider_id,
            appointment_id=view.appointment_id,
            starts_at=view.start,
        )
        await self._dispatcher.dispatch(event_id, at, [intent])

    async def conflict(
        self, event_id: str, at: datetime, appointment_id: str, officer_id: str, start: datetime | None = None
    ) -> None:
        view = await self._directory.appointment(appointment_id)
        intent = Intent(
            "appointment_conflict",
            Category.CHANGES,
            officer_id,
            appointment_id=appointment_id,
            starts_at=view.start if view else start,
        )
        await self._dispatcher.dispatch(event_id, at, [intent])

    async def participant_joined(
        self, event_id: str, at: datetime, appointment_id: str, role: str, waiting: bool
    ) -> None:
        if role != "officer" or not waiting:
            return
        view = await self._directory.appointment(appointment_id)
        if view is None or not view.provider_id:
            return
        intent = Intent(
            "waiting_room",
            Category.WAITING_ROOM,
            view.provider_id,
            appointment_id=appointment_id,
            starts_at=view.start,
        )
        await self._dispatcher.dispatch(event_id, at, [intent])

    async def urgent_offered(
        self, event_id: str, at: datetime, request_id: str, provider_ids: list[str]
    ) -> None:
        intents = [
            Intent("urgent_offered", Category.URGENT, p, urgent=True, request_id=request_id)
            for p in provider_ids
        ]
        await self._dispatcher.dispatch(event_id, at, intents)

    async def urgent_assigned(
        self,
        event_id: str,
        at: datetime,
        request_id: str,
        officer_id: str,
        provider_id: str,
        appointment_id: str,
        withdrawn: list[str],
    ) -> None:
        intents = [
            Intent(
                "urgent_assigned_provider",
                Category.URGENT,
                provider_id,
                urgent=True,
                request_id=request_id,
                appointment_id=appointment_id,
            ),
            Intent(
                "urgent_assigned_officer",
                Category.URGENT,
                officer_id,
                request_id=request_id,
                appointment_id=appointment_id,
                only=_OFFICER_URGENT_CHANNELS,
            ),
        ]
        await self._dispatcher.dispatch(event_id, at, [i for i in intents if i.recipient])
        for other in withdrawn:
            if other != provider_id:
                await self._live.withdraw(other, "urgent_offered", request_id, appointment_id, "taken")

    async def urgent_withdrawn(self, request_id: str, provider_ids: list[str], reason: str) -> None:
        """The offer no longer stands for them (the officer cancelled, they declined, or they
        accepted but did not join in time and someone else is being found)."""
        for provider in provider_ids:
            await self._live.withdraw(provider, "urgent_offered", request_id, "", reason)

    async def urgent_escalated(
        self,
        event_id: str,
        at: datetime,
        request_id: str,
        agency_id: str,
        officer_id: str,
        crisis_line_text: str,
        case_code: str,
    ) -> None:
        intents: list[Intent] = []
        if officer_id:
            # The crisis line's own name may say "crisis": in the app only, never a lock screen.
            intents.append(
                Intent(
                    "urgent_escalated_officer",
                    Category.URGENT,
                    officer_id,
                    request_id=request_id,
                    facts={"crisis_line_text": crisis_line_text},
                    only=frozenset({Channel.IN_APP}),
                )
            )
        for admin in await self._directory.agency_admins(agency_id):
            intents.append(
                Intent(
                    "urgent_escalated_admin",
                    Category.URGENT,
                    admin,
                    urgent=True,
                    request_id=request_id,
                    facts={"case_code": case_code},
                )
            )
        await self._dispatcher.dispatch(event_id, at, intents)
        await self._dispatcher.webhook(
            event_id,
            at,
            agency_id,
            {
                "type": "urgent_escalation",
                "request_id": request_id,
                "agency_id": agency_id,
                "case_code": case_code,
                "occurred_at": at.isoformat(),
            },
        )

    async def training_due(
        self,
        event_id: str,
        at: datetime,
        peer_id: str,
        agency_id: str,
        expires_at: datetime | None,
        lapsed: bool,
    ) -> None:
        """A peer's required training lapses within 30 days (or lapsed): the peer and their
        agency's coordinators (admins) are told, in neutral words; who is named only in the app."""
        kind = "training_lapsed" if lapsed else "training_lapsing"
        intents = [Intent(f"{kind}_provider", Category.ACCOUNT, peer_id, starts_at=expires_at)]
        intents += [
            Intent(f"{kind}_admin", Category.ACCOUNT, admin, starts_at=expires_at)
            for admin in await self._directory.agency_admins(agency_id)
        ]
        await self._dispatcher.dispatch(event_id, at, intents)

    async def licence_expiring(
        self, event_id: str, at: datetime, clinician_id: str, agency_id: str, expires_at: datetime | None
    ) -> None:
        """A clinician's licence expires within 30 days: the clinician and their agency's
        admins are told, in neutral words; which licence is shown only in the app."""
        intents = [Intent("licence_expiring_provider", Category.ACCOUNT, clinician_id, starts_at=expires_at)]
        intents += [
            Intent("licence_expiring_admin", Category.ACCOUNT, admin, starts_at=expires_at)
            for admin in await self._directory.agency_admins(agency_id)
        ]
        await self._dispatcher.dispatch(event_id, at, intents)

    async def referral_proposed(self, event_id: str, at: datetime, officer_id: str) -> None:
        """A peer supporter suggested a clinician: the officer is told a suggestion waits, nothing more."""
        await self._dispatcher.dispatch(
            event_id, at, [Intent("referral_proposed", Category.CHANGES, officer_id)]
        )

    async def calendar_feed_paused(self, event_id: str, at: datetime, provider_id: str) -> None:
        """A provider's calendar subscription kept failing and stopped: they are told to check it."""
        await self._dispatcher.dispatch(
            event_id, at, [Intent("calendar_feed_paused", Category.ACCOUNT, provider_id)]
        )

    async def campaign_launched(
        self, event_id: str, at: datetime, agency_id: str, ends_at: datetime | None, attendance: bool
    ) -> None:
        """Every officer of the agency is invited to book a check-in (reminders' category: it is
        about booking time with someone)."""
        facts = {"attendance": "1"} if attendance else {}
        intents = [
            Intent("campaign_invitation", Category.REMINDERS, officer, starts_at=ends_at, facts=facts)
            for officer in await self._directory.agency_officers(agency_id)
        ]
        await self._dispatcher.dispatch(event_id, at, intents)

    async def campaign_invitation(
        self, event_id: str, at: datetime, officer_id: str, ends_at: datetime | None, attendance: bool
    ) -> None:
        """An officer who enrolled while a campaign was open: invited like the others."""
        facts = {"attendance": "1"} if attendance else {}
        intent = Intent("campaign_invitation", Category.REMINDERS, officer_id, starts_at=ends_at, facts=facts)
        await self._dispatcher.dispatch(event_id, at, [intent])

    async def user_registered(self, info: UserInfo) -> None:
        await self._directory.put_user(info)
