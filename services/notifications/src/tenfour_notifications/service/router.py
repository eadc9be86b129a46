"""Who is told of an appointment's change, and of an officer in the waiting room: these depend
on what changed, so they are decided here; every other event's notices are a registry entry
(service/notices.py).

- booked: the provider, when an officer booked (changes); urgent bookings are told by the
  urgent events instead.
- cancelled: the other side, from the reason (officer_cancelled -> provider, provider_cancelled
  -> officers; anything else, e.g. a deactivated account -> everyone still in it).
- moved (only officers reschedule): the provider.
- a waiting-list hold: only the officer it is held for; letting it go tells nobody.
- a seat released in a group: the officers following it (seats).
- a seat in a training session for staff: the officer or peer supporter seated (changes).
- an officer waiting in the waiting room: the provider (waiting room).
- urgent offer withdrawn: taken off the pages of those providers (officer cancelled, or they
  declined).
"""

from __future__ import annotations

from datetime import datetime

from tenfour_notifications.domain.model import Category, Intent
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.ports import AppointmentView, Directory, Live, UserInfo

__all__ = ["Router"]


class Router:
    def __init__(self, directory: Directory, dispatcher: Dispatcher, live: Live) -> None:
        self._directory = directory
        self._dispatcher = dispatcher
        self._live = live

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

    async def urgent_withdrawn(self, request_id: str, provider_ids: list[str], reason: str) -> None:
        """The offer no longer stands for them (the officer cancelled, they declined, or they
        accepted but did not join in time and someone else is being found)."""
        for provider in provider_ids:
            await self._live.withdraw(provider, "urgent_offered", request_id, "", reason)

    async def user_registered(self, info: UserInfo) -> None:
        await self._directory.put_user(info)
