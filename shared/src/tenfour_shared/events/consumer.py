"""Durable JetStream pull consumers with idempotent handling, retries and a dead-letter subject.

Handlers are registered explicitly per event type. An event id already processed is acked
and skipped (JetStream redelivers after AckWait or a crash). A handler that must not apply
its effect twice writes `processed_key()` in the same atomic step as the effect; for the rest
the consumer marks the id after the handler succeeds. A corrupt or unknown event, or one
that failed `max_deliveries` times, goes to `deadletter.<service>.<type>` and is acked, so it
never blocks the events behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

import redis.asyncio as aioredis
from google.protobuf.message import Message
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared import metrics, tracing
from tenfour_shared.events.bus import raise_if_cancelled
from tenfour_shared.events.envelope import BadEvent, parse
from tenfour_shared.events.streams import dead_letter_subject, stream_name

log = logging.getLogger("tenfour.consumer")

Handler = Callable[[Envelope, Message], Awaitable[None]]
PROCESSED_TTL_SECONDS = 7 * 24 * 3600


class PermanentFailure(Exception):
    """A handler's verdict that retrying cannot help: dead-letter at once."""


def processed_key(consumer_service: str, env: Envelope) -> str:
    # Tagged by the aggregate (subject) so a handler's Lua script can write it with its effect.
    return f"{consumer_service}:inbox:{{{env.subject}}}:{env.id}"


class EventConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        redis: aioredis.Redis,
        consumer_service: str,
        source: str,
        handlers: Mapping[str, Handler],
        max_deliveries: int = 5,
        retry_base_seconds: float = 0.5,
        batch: int = 100,
        ack_wait_seconds: float = 30.0,
    ) -> None:
        self._js = js
        self._redis = redis
        self._service = consumer_service
        self._source = source
        self._handlers = dict(handlers)
        self._max = max_deliveries
        self._base = retry_base_seconds
        self._batch = batch
        self._ack_wait = ack_wait_seconds
        self.durable = f"{consumer_service}-from-{source}"
        self.stream = stream_name(source)
        self.processed = 0
        self.dead_lettered = 0

    async def run(self) -> None:
        waited = False
        while True:
            try:
                sub = await self._js.pull_subscribe(
                    f"{self._source}.>",
                    durable=self.durable,
                    stream=self.stream,
                    config=ConsumerConfig(
                        ack_policy=AckPolicy.EXPLICIT,
                        deliver_policy=DeliverPolicy.ALL,
                        ack_wait=self._ack_wait,
                        max_ack_pending=1000,
                    ),
                )
                break
            except NotFoundError:
                # The producer has not created its stream yet (with per-service NATS users only the
                # producer may): wait for it rather than fail and log an error every retry.
                if not waited:
                    log.info("waiting for the source stream", extra={"consumer": self.durable})
                    waited = True
                await asyncio.sleep(1.0)
        try:
            while True:
                # nats-py may turn our own cancellation into a timeout or swallow it: re-raise it.
                raise_if_cancelled()
                try:
                    msgs = await sub.fetch(self._batch, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    continue
                await self.process_batch(msgs)
        finally:
            # Withdraw interest in the pending pull request: otherwise the server hands the next
            # events to this dead inbox, where they wait out AckWait, and draining the connection
            # at shutdown waits on them.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    def decode(self, msg: Msg) -> tuple[Envelope, Message]:
        """The event a message carries (binary-mode CloudEvent, or an older `Envelope`)."""
        return parse(msg.data, msg.headers)

    async def process(self, msg: Msg) -> None:
        await self.process_batch([msg])

    async def process_batch(self, msgs: list[Msg]) -> None:
        """Handle a fetched batch in order. The processed marks are read in one pipeline before
        and written in one after (two round trips a batch instead of two an event); each event
        is acked once its mark is written, as before. A copy of an event already handled in
        this batch (a redelivery fetched with it) is a duplicate like any other."""
        decoded: list[tuple[Msg, Envelope, Message, str]] = []
        for msg in msgs:
            try:
                env, payload = self.decode(msg)
            except BadEvent as exc:
                await self._dead_letter(msg, "", str(exc))
                continue
            key = processed_key(self._service, env) if env.type in self._handlers else ""
            decoded.append((msg, env, payload, key))
        keys = [key for *_, key in decoded if key]
        seen: set[str] = set()
        if keys:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.exists(key)
                marks = await pipe.execute()
            seen = {key for key, marked in zip(keys, marks, strict=True) if marked}
        handled: list[tuple[Msg, Envelope, str]] = []
        try:
            for msg, env, payload, key in decoded:
                token = tracing.activate(tracing.continue_from(env.traceparent))
                try:
                    outcome = await self._handle(msg, env, payload, key, seen)
                finally:
                    tracing.deactivate(token)
                if outcome == "processed":
                    handled.append((msg, env, key))
                else:
                    metrics.EVENTS_CONSUMED.labels(self._service, env.type, outcome).inc()
        finally:
            # Also when stopped mid-batch: what was handled is marked and acked, so only the
            # event in hand at the time can come back (as when events were marked one by one).
            await self._mark(handled)

    async def _mark(self, handled: list[tuple[Msg, Envelope, str]]) -> None:
        if not handled:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for _, _, key in handled:
                pipe.set(key, b"1", ex=PROCESSED_TTL_SECONDS)
            await pipe.execute()
        for msg, env, _ in handled:
            await msg.ack()
            self.processed += 1
            metrics.EVENTS_CONSUMED.labels(self._service, env.type, "processed").inc()

    async def _handle(self, msg: Msg, env: Envelope, payload: Message, key: str, seen: set[str]) -> str:
        """The event's outcome; "processed" leaves its mark and ack to the caller."""
        handler = self._handlers.get(env.type)
        if handler is None:
            await msg.ack()  # an event of this source we do not care about
            return "ignored"
        if key in seen:
            await msg.ack()
            return "duplicate"
        try:
            await handler(env, payload)
        except PermanentFailure as exc:
            await self._dead_letter(msg, env.type, str(exc))
            return "dead_lettered"
        except Exception as exc:
            attempts = msg.metadata.num_delivered or 1
            log.warning(
                "handler failed",
                extra={"event_type": env.type, "attempt": attempts, "error_type": type(exc).__name__},
            )
            if attempts >= self._max:
                await self._dead_letter(msg, env.type, f"failed {attempts} times: {type(exc).__name__}")
                return "dead_lettered"
            await msg.nak(delay=min(self._base * 2 ** (attempts - 1), 60.0))
            return "retried"
        seen.add(key)
        return "processed"

    async def _dead_letter(self, msg: Msg, event_type: str, reason: str) -> None:
        meta = msg.metadata
        seq = meta.sequence.stream if meta and meta.sequence else 0
        # The CloudEvent attributes travel with the dead letter, so it can be read and replayed.
        attributes = {k: v for k, v in (msg.headers or {}).items() if _is_attribute(k)}
        await self._js.publish(
            dead_letter_subject(self._service, event_type.replace(".", "_")),
            msg.data,
            headers={
                **attributes,
                "Nats-Msg-Id": f"{self._service}-{self._source}-{seq}",
                "Tenfour-Reason": reason[:200],
                "Tenfour-Original-Subject": msg.subject,
            },
        )
        await msg.ack()
        self.dead_lettered += 1
        if not event_type:
            metrics.EVENTS_CONSUMED.labels(self._service, "unknown", "dead_lettered").inc()
        log.warning("dead-lettered", extra={"event_type": event_type or "unknown", "consumer": self.durable})


def _is_attribute(header: str) -> bool:
    return header.lower().startswith("ce-") or header.lower() == "content-type"
