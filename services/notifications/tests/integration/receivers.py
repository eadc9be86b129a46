"""Real receivers on free local ports: an SMTP server (aiosmtpd), a Web Push endpoint that
decrypts what it gets with the subscription's private key (http_ece), and a webhook receiver
that checks signatures. Each can be told to fail, to exercise retries."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import http_ece  # type: ignore[import-untyped]
from aiohttp import web
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from multidict import CIMultiDict

from tenfour_notifications.domain.signature import verify
from tenfour_testing.embedded import free_port


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Reply with this SMTP code to the next N messages (e.g. 451: try later).
    fail_next: int = 0
    fail_code: int = 451

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            return f"{self.fail_code} try again later"
        self.messages.append(message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"

    async def wait_for(self, count: int, within: float = 15.0) -> list[Message]:
        deadline = time.monotonic() + within
        while len(self.messages) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.messages)} of {count} mails arrived")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), min(remaining, 0.2))
            except TimeoutError:
                continue
        return self.messages


@asynccontextmanager
async def smtp_server(port: int | None = None) -> AsyncIterator[tuple[Mailbox, int]]:
    box = Mailbox()
    chosen = port or free_port()
    controller = Controller(box, hostname="127.0.0.1", port=chosen)
    controller.start()
    try:
        yield box, chosen
    finally:
        controller.stop()


class PushSubscription:
    """What a browser's PushManager would hold: a P-256 key pair and an auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64(public)
        self.auth_secret = os.urandom(16)
        self.auth = b64(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        result: dict[str, Any] = json.loads(plain)
        return result


@dataclass
class Received:
    path: str
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are
    body: bytes


@dataclass
class HttpReceiver:
    """Push endpoint and webhook receiver in one aiohttp app: answers `status` for a path."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    statuses: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses to answer, in order
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.Response:
        queue = self.statuses.get(request.path, [])
        status = queue.pop(0) if queue else 201
        if status < 300:
            self.received.append(Received(request.path, CIMultiDict(request.headers), await request.read()))
            self.arrived.set()
        return web.Response(status=status)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def wait_for(self, path: str, count: int = 1, within: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.at(path)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.at(path))} of {count} requests reached {path}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 0.2)
            except TimeoutError:
                continue
        return self.at(path)


@asynccontextmanager
async def http_receiver() -> AsyncIterator[HttpReceiver]:
    receiver = HttpReceiver(port=free_port())
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", receiver.port)
    await site.start()
    try:
        yield receiver
    finally:
        await runner.cleanup()


def signature_ok(secret: str, received: Received) -> bool:
    stamp = int(received.headers["X-Tenfour-Timestamp"])
    return verify(secret, stamp, received.body, received.headers["X-Tenfour-Signature"], int(time.time()))
