"""Domain values to protobuf messages (shared by the live bus and the gRPC API)."""

from __future__ import annotations

from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour_notifications.domain.model import Category, Channel, Notification, Status

CATEGORIES = {
    Category.REMINDERS: pb.CATEGORY_REMINDERS,
    Category.CHANGES: pb.CATEGORY_CHANGES,
    Category.URGENT: pb.CATEGORY_URGENT,
    Category.WAITING_ROOM: pb.CATEGORY_WAITING_ROOM,
    Category.SEATS: pb.CATEGORY_SEATS,
    Category.ACCOUNT: pb.CATEGORY_ACCOUNT,
}
CHANNELS = {
    Channel.IN_APP: pb.CHANNEL_IN_APP,
    Channel.WEB_PUSH: pb.CHANNEL_WEB_PUSH,
    Channel.EMAIL: pb.CHANNEL_EMAIL,
    Channel.WEBHOOK: pb.CHANNEL_WEBHOOK,
}
STATUSES = {
    Status.PENDING: pb.DELIVERY_STATUS_PENDING,
    Status.DELIVERED: pb.DELIVERY_STATUS_DELIVERED,
    Status.DEFERRED: pb.DELIVERY_STATUS_DEFERRED,
    Status.FAILED: pb.DELIVERY_STATUS_FAILED,
    Status.SKIPPED: pb.DELIVERY_STATUS_SKIPPED,
}
CATEGORY_OF = {v: k for k, v in CATEGORIES.items()}
CHANNEL_OF = {v: k for k, v in CHANNELS.items()}


def notification_message(n: Notification, read: bool = False) -> pb.Notification:
    message = pb.Notification(
        notification_id=n.notification_id,
        kind=n.kind,
        category=CATEGORIES[n.category],
        urgent=n.urgent,
        title=n.title,
        body=n.body,
        link=n.link,
        appointment_id=n.appointment_id,
        request_id=n.request_id,
        read=read,
    )
    message.created_at.FromDatetime(n.created_at)
    if n.starts_at is not None:
        message.starts_at.FromDatetime(n.starts_at)
    return message
