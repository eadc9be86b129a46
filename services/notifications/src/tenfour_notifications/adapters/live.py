"""The live in-app bus: NATS core subjects, one per user, so whichever instance handles an
event reaches the Stream a user holds on any other instance. Subjects carry a digest of the
user id, never the id itself (subjects show up in monitoring)."""

from __future__ import annotations

import hashlib

from nats.aio.client import Client

from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour_notifications.adapters.messages import notification_message
from tenfour_notifications.domain.model import Notification

__all__ = ["LIVE_SUBJECTS", "NatsLive", "subject_for"]

LIVE_SUBJECTS = "tenfour-live.notifications.>"


def subject_for(user_id: str) -> str:
    return "tenfour-live.notifications." + hashlib.sha256(user_id.encode()).hexdigest()[:40]


class NatsLive:
    def __init__(self, nc: Client) -> None:
        self._nc = nc

    async def notify(self, user_id: str, notification: Notification) -> None:
        event = pb.StreamEvent(notification=notification_message(notification))
        await self._nc.publish(subject_for(user_id), event.SerializeToString())

    async def withdraw(
        self, user_id: str, kind: str, request_id: str, appointment_id: str, reason_code: str
    ) -> None:
        withdrawn = pb.Withdrawn(
            kind=kind, request_id=request_id, appointment_id=appointment_id, reason_code=reason_code
        )
        await self._nc.publish(subject_for(user_id), pb.StreamEvent(withdrawn=withdrawn).SerializeToString())
