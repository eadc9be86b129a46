"""gRPC servicer: a thin translation between protobuf and the notifications use cases."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import time
from typing import Any, TypeAlias

from grpc import aio
from nats.aio.client import Client
from nats.aio.msg import Msg

from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour_notifications.adapters.devmailbox import DevMailbox
from tenfour_notifications.adapters.live import subject_for
from tenfour_notifications.adapters.messages import (
    CATEGORIES,
    CATEGORY_OF,
    CHANNEL_OF,
    CHANNELS,
    STATUSES,
    notification_message,
)
from tenfour_notifications.domain.model import Category, Channel
from tenfour_notifications.domain.preferences import Preferences, QuietHours
from tenfour_notifications.domain.validation import origin
from tenfour_notifications.service.people import People, Settings
from tenfour_notifications.service.ports import Deliveries, Device
from tenfour_shared.auth.principal import Principal, current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import FieldViolation, InvalidInput, NotAllowed, WrongState

__all__ = ["SERVICE_NAME", "NotificationsApi"]

SERVICE_NAME = "tenfour.notifications.v1.NotificationService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]
HEARTBEAT_SECONDS = 20.0
STREAM_BUFFER = 256


def _device(d: Device) -> pb.PushDevice:
    out = pb.PushDevice(device_id=d.device_id, label=d.label, endpoint_origin=origin(d.endpoint))
    out.created_at.FromDatetime(d.created_at)
    if d.last_success_at is not None:
        out.last_success_at.FromDatetime(d.last_success_at)
    return out


def _settings(s: Settings) -> pb.Settings:
    out = pb.Settings()
    p = s.preferences
    for category in Category:
        chosen = sorted(p.channels_for(category), key=lambda c: CHANNELS[c])
        out.preferences.channels.add(category=CATEGORIES[category], channels=[CHANNELS[c] for c in chosen])
    if p.quiet_hours is not None:
        q = p.quiet_hours
        out.preferences.quiet_hours.enabled = True
        out.preferences.quiet_hours.start.hour, out.preferences.quiet_hours.start.minute = (
            q.start.hour,
            q.start.minute,
        )
        out.preferences.quiet_hours.end.hour, out.preferences.quiet_hours.end.minute = (
            q.end.hour,
            q.end.minute,
        )
        out.preferences.quiet_hours.timezone = q.timezone
    out.preferences.detailed_content = p.detailed_content
    if s.email is not None:
        out.email.address = s.email.address
        out.email.confirmed = s.email.confirmed
        if s.email.sent_at is not None:
            out.email.confirmation_sent_at.FromDatetime(s.email.sent_at)
        if s.email.confirmed_at is not None:
            out.email.confirmed_at.FromDatetime(s.email.confirmed_at)
    out.devices.extend(_device(d) for d in s.devices)
    return out


def _local(field: str, hour: int, minute: int) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput.single(field, "hour 0-23 and minute 0-59")
    return time(hour, minute)


def _preferences(p: pb.Preferences) -> Preferences:
    channels: dict[Category, frozenset[Channel]] = {}
    for i, entry in enumerate(p.channels):
        if entry.category not in CATEGORY_OF:
            raise InvalidInput.single(f"preferences.channels[{i}].category", "unknown category")
        unknown = [c for c in entry.channels if c not in CHANNEL_OF]
        if unknown:
            raise InvalidInput.single(f"preferences.channels[{i}].channels", "unknown channel")
        channels[CATEGORY_OF[entry.category]] = frozenset(CHANNEL_OF[c] for c in entry.channels)
    quiet = None
    q = p.quiet_hours
    if q.enabled:
        if not q.timezone:
            raise InvalidInput.single("preferences.quiet_hours.timezone", "required with quiet hours")
        quiet = QuietHours(
            _local("preferences.quiet_hours.start", q.start.hour, q.start.minute),
            _local("preferences.quiet_hours.end", q.end.hour, q.end.minute),
            q.timezone,
        )
    return Preferences.build(channels, quiet, p.detailed_content)


def _limit(value: int, default: int, most: int) -> int:
    if value < 0:
        raise InvalidInput([FieldViolation("limit", "must not be negative")])
    return min(value or default, most)


def _agency(principal: Principal, requested: str) -> str:
    if principal.role == Role.SYSTEM_ADMIN:
        if not requested:
            raise InvalidInput.single("agency_id", "required for a system admin")
        return requested
    if requested and requested != principal.agency_id:
        raise NotAllowed("only your own agency's webhook")
    if not principal.agency_id:
        raise NotAllowed("no agency")
    return principal.agency_id


class NotificationsApi(notifications_pb2_grpc.NotificationServiceServicer):
    def __init__(
        self, people: People, deliveries: Deliveries, nc: Client, vapid_public_key: str, mailbox: DevMailbox
    ) -> None:
        self._people = people
        self._deliveries = deliveries
        self._nc = nc
        self._vapid = vapid_public_key
        self._mailbox = mailbox

    async def Stream(self, request: pb.StreamRequest, context: Ctx) -> AsyncIterator[pb.StreamEvent]:
        user = current_principal().subject
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=STREAM_BUFFER)

        async def on_message(msg: Msg) -> None:
            # A client too slow to read loses live items (ListNotifications has them all).
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(msg.data)

        sub = await self._nc.subscribe(subject_for(user), cb=on_message)
        try:
            await self._nc.flush()  # the subscription is active before "ready" is said
            yield pb.StreamEvent(ready=pb.StreamReady())
            while True:
                try:
                    data = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield pb.StreamEvent(heartbeat=pb.Heartbeat())
                    continue
                event = pb.StreamEvent()
                event.ParseFromString(data)
                yield event
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Ctx
    ) -> pb.ListNotificationsResponse:
        items, unread = await self._deliveries.inbox(
            current_principal().subject, _limit(request.limit, 20, 100)
        )
        return pb.ListNotificationsResponse(
            notifications=[notification_message(n, read) for n, read in items], unread=unread
        )

    async def MarkNotificationsRead(
        self, request: pb.MarkNotificationsReadRequest, context: Ctx
    ) -> pb.MarkNotificationsReadResponse:
        await self._deliveries.mark_read(current_principal().subject, request.up_to_id)
        return pb.MarkNotificationsReadResponse()

    async def GetWebPushConfig(self, request: pb.GetWebPushConfigRequest, context: Ctx) -> pb.WebPushConfig:
        return pb.WebPushConfig(vapid_public_key=self._vapid)

    async def RegisterPushSubscription(
        self, request: pb.RegisterPushSubscriptionRequest, context: Ctx
    ) -> pb.PushDevice:
        device = await self._people.register_device(
            current_principal().subject, request.endpoint, request.p256dh, request.auth, request.label
        )
        return _device(device)

    async def RemovePushSubscription(
        self, request: pb.RemovePushSubscriptionRequest, context: Ctx
    ) -> pb.RemovePushSubscriptionResponse:
        await self._people.remove_device(current_principal().subject, request.device_id, request.endpoint)
        return pb.RemovePushSubscriptionResponse()

    async def SetEmailAddress(self, request: pb.SetEmailAddressRequest, context: Ctx) -> pb.Settings:
        return _settings(await self._people.set_email(current_principal().subject, request.address))

    async def ConfirmEmailAddress(
        self, request: pb.ConfirmEmailAddressRequest, context: Ctx
    ) -> pb.ConfirmEmailAddressResponse:
        return pb.ConfirmEmailAddressResponse(address_hint=await self._people.confirm_email(request.token))

    async def GetSettings(self, request: pb.GetSettingsRequest, context: Ctx) -> pb.Settings:
        return _settings(await self._people.settings(current_principal().subject))

    async def SetPreferences(self, request: pb.SetPreferencesRequest, context: Ctx) -> pb.Settings:
        preferences = _preferences(request.preferences)
        return _settings(await self._people.set_preferences(current_principal().subject, preferences))

    async def SendTestNotification(
        self, request: pb.SendTestNotificationRequest, context: Ctx
    ) -> pb.SendTestNotificationResponse:
        chosen = await self._people.send_test(current_principal().subject)
        return pb.SendTestNotificationResponse(channels=[CHANNELS[Channel(c)] for c in chosen])

    async def ListDeliveries(
        self, request: pb.ListDeliveriesRequest, context: Ctx
    ) -> pb.ListDeliveriesResponse:
        records = await self._deliveries.log(
            current_principal().subject,
            request.appointment_id,
            request.request_id,
            _limit(request.limit, 50, 200),
        )
        out = pb.ListDeliveriesResponse()
        for r in records:
            d = out.deliveries.add(
                delivery_id=r.key,
                kind=r.kind,
                channel=CHANNELS[r.channel],
                status=STATUSES[r.status],
                attempts=r.attempts,
                reason_code=r.reason_code,
                appointment_id=r.appointment_id,
                request_id=r.request_id,
            )
            d.created_at.FromDatetime(r.created_at)
            if r.delivered_at is not None:
                d.delivered_at.FromDatetime(r.delivered_at)
        return out

    async def SetAgencyWebhook(self, request: pb.SetAgencyWebhookRequest, context: Ctx) -> pb.AgencyWebhook:
        agency = _agency(current_principal(), request.agency_id)
        hook, generated = await self._people.set_webhook(agency, request.url, request.secret)
        out = pb.AgencyWebhook(agency_id=agency)
        if hook is not None:
            out.url, out.secret, out.secret_hint = hook.url, generated, hook.secret[-4:]
            out.updated_at.FromDatetime(hook.updated_at)
        return out

    async def GetAgencyWebhook(self, request: pb.GetAgencyWebhookRequest, context: Ctx) -> pb.AgencyWebhook:
        agency = _agency(current_principal(), request.agency_id)
        hook = await self._people.webhook(agency)
        out = pb.AgencyWebhook(agency_id=agency)
        if hook is not None:
            out.url, out.secret_hint = hook.url, hook.secret[-4:]
            out.updated_at.FromDatetime(hook.updated_at)
        return out

    async def FollowGroupSeats(
        self, request: pb.FollowGroupSeatsRequest, context: Ctx
    ) -> pb.FollowGroupSeatsResponse:
        principal = current_principal()
        following = await self._people.follow_group(
            principal.subject, principal.agency_id or "", request.appointment_id, request.follow
        )
        return pb.FollowGroupSeatsResponse(following=following)

    async def ListDevMailbox(
        self, request: pb.ListDevMailboxRequest, context: Ctx
    ) -> pb.ListDevMailboxResponse:
        if not self._mailbox.enabled:
            raise WrongState("the developer mailbox is only on under `make run`")
        out = pb.ListDevMailboxResponse()
        for m in await self._mailbox.mails(_limit(request.limit, 50, 200)):
            mail = out.mails.add(
                mail_id=m.mail_id,
                mail_from=m.mail_from,
                rcpt_to=m.rcpt_to,
                subject=m.subject,
                text_body=m.text_body,
            )
            mail.received_at.FromDatetime(m.received_at)
        return out
