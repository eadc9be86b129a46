"""Which events scheduling consumes, and what it does with each (explicit registry)."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.adapters.provider_read_model import ProviderReadModel
from tenfour_shared.events.consumer import Handler, PermanentFailure


def availability_handlers(read_model: ProviderReadModel) -> dict[str, Handler]:
    async def on_rules_changed(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, ProviderRulesChanged)
        if not payload.provider_id or payload.version <= 0:
            raise PermanentFailure("rules event without provider id or version")
        await read_model.apply_rules(env, payload)

    return {"availability.provider_rules_changed": on_rules_changed}
