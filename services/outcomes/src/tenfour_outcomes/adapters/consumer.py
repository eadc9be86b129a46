"""The platform's durable consumer, made to keep no raw id in outcomes' Redis.

`tenfour_shared.events.consumer.EventConsumer` marks each processed event under a key naming the
event's subject (an appointment or user id) and id, kept for a week. In this read model that
would put identifiable ids, with a timestamp in their expiry, next to the aggregates. This
consumer hands the shared one an envelope whose subject and id are keyed pseudonyms (in their
own domain, so the marks cannot be joined to the facts either); dedupe still works because the
pseudonyms are deterministic. Handlers never read the subject or id themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from nats.aio.msg import Msg

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_outcomes.domain.pseudonyms import Pseudonyms
from tenfour_shared.events.consumer import EventConsumer, Handler
from tenfour_shared.infra import Infra

__all__ = ["PseudonymousConsumer", "consume"]


class PseudonymousConsumer(EventConsumer):
    def __init__(
        self, pseudonyms: Pseudonyms, infra: Infra, source: str, handlers: Mapping[str, Handler]
    ) -> None:
        super().__init__(
            infra.js,
            infra.redis,
            infra.service,
            source,
            handlers,
            max_deliveries=infra.settings.max_deliveries,
            retry_base_seconds=infra.settings.retry_base_seconds,
        )
        self._pseudonyms = pseudonyms

    def decode(self, msg: Msg) -> tuple[Envelope, Message]:
        env, payload = super().decode(msg)  # a BadEvent is dead-lettered by the shared consumer
        env.subject = self._pseudonyms.event_subject(env.subject)
        env.id = self._pseudonyms.event(env.id)
        return env, payload


def consume(infra: Infra, pseudonyms: Pseudonyms, source: str, handlers: Mapping[str, Handler]) -> None:
    """Like `Infra.consume`, with the pseudonymous consumer."""
    infra.consumers.append(PseudonymousConsumer(pseudonyms, infra, source, handlers))
