"""The one place where notifications' adapters, use cases and entrypoints are wired.

Why a service of its own: reaching people needs their addresses and devices, which no other
service should hold, and sending (SMTP, push services, webhooks) is slow and failure-prone work
that must never hold up booking or signaling.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial

from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour_notifications.adapters.channels import RedisChannels
from tenfour_notifications.adapters.deliveries import RedisDeliveries
from tenfour_notifications.adapters.devmailbox import DevMailbox
from tenfour_notifications.adapters.directory import RedisDirectory
from tenfour_notifications.adapters.live import NatsLive
from tenfour_notifications.adapters.metrics import PrometheusMetrics
from tenfour_notifications.adapters.smtp import SmtpSender
from tenfour_notifications.adapters.vault import Vault
from tenfour_notifications.adapters.webhook import WebhookSender
from tenfour_notifications.adapters.webpush import PushSender, generate_vapid_private_key, vapid_public_key
from tenfour_notifications.config import Settings
from tenfour_notifications.domain.retry import Backoff
from tenfour_notifications.entrypoints.event_handlers import (
    availability_handlers,
    identity_handlers,
    scheduling_handlers,
    signaling_handlers,
)
from tenfour_notifications.entrypoints.grpc_api import SERVICE_NAME, NotificationsApi
from tenfour_notifications.entrypoints.policy import POLICY
from tenfour_notifications.service.deliver import Deliverer
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.notices import Notices
from tenfour_notifications.service.people import People
from tenfour_notifications.service.ports import Clock
from tenfour_notifications.service.router import Router
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "notifications"
log = logging.getLogger("tenfour.notifications")


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """The service serving until the block ends; tests and benchmarks use it in-process."""
    master, development = settings.master_key()
    if development:
        log.warning("TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY is not set: using the development key")
    vapid_private = settings.notifications_vapid_private_key.get_secret_value()
    if not vapid_private:
        log.warning(
            "TENFOUR_NOTIFICATIONS_VAPID_PRIVATE_KEY is not set: push subscriptions last until restart"
        )
        vapid_private = generate_vapid_private_key()
    infra = Infra(settings, SERVICE)
    vault = Vault(master)
    deliveries = RedisDeliveries(infra.redis, vault)
    channels = RedisChannels(infra.redis, vault, deliveries)
    directory = RedisDirectory(infra.redis)
    live = NatsLive(infra.nc)
    dispatcher = Dispatcher(channels, deliveries, directory, live, clock)
    router = Router(directory, dispatcher, live)
    notices = Notices(directory, dispatcher, live)
    people = People(
        channels,
        directory,
        dispatcher,
        clock,
        settings.notifications_public_base_url,
        settings.notifications_allow_insecure_push,
        settings.notifications_allow_insecure_webhook,
    )
    timeout = settings.notifications_send_timeout_seconds
    push = PushSender(vapid_private, settings.notifications_vapid_subject, timeout)
    webhook = WebhookSender(timeout)
    smtp = SmtpSender(
        settings.notifications_smtp_host,
        settings.notifications_smtp_port,
        settings.notifications_mail_from,
        settings.notifications_smtp_username,
        settings.notifications_smtp_password.get_secret_value(),
        settings.notifications_smtp_starttls,
        settings.notifications_smtp_timeout_seconds,
    )
    backoff = Backoff(
        settings.notifications_backoff_base_seconds,
        settings.notifications_backoff_max_seconds,
        settings.notifications_max_attempts,
    )
    deliverer = Deliverer(
        deliveries,
        channels,
        smtp,
        push,
        webhook,
        PrometheusMetrics(),
        clock,
        backoff,
        settings.notifications_public_base_url,
        settings.notifications_lease_seconds,
    )
    infra.consume("identity", identity_handlers(router, directory, channels))
    infra.consume("availability", availability_handlers(notices))
    infra.consume("scheduling", scheduling_handlers(router, notices))
    infra.consume("signaling", signaling_handlers(router))
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    api = NotificationsApi(
        people,
        deliveries,
        infra.nc,
        vapid_public_key(vapid_private),
        DevMailbox(settings.notifications_dev_mailbox_dir),
    )
    notifications_pb2_grpc.add_NotificationServiceServicer_to_server(api, runtime.server)
    async with runtime:
        await infra.connect(runtime)
        runtime.on_close(push.close)
        runtime.on_close(webhook.close)
        runtime.spawn(
            "deliverer",
            partial(deliverer.run, settings.notifications_concurrency, settings.notifications_poll_seconds),
        )
        await runtime.ready()
        yield runtime


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    async with running(settings) as runtime:
        await runtime.wait()
