"""The one place where outcomes' adapters, handlers and entrypoints are wired.

Why a service of its own: program evaluation reads only events into its own read model, so
aggregates never sit next to identifiable booking data (scheduling's store), and scheduling
never has to answer aggregate queries.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial

from tenfour.outcomes.v1 import outcomes_pb2_grpc
from tenfour_outcomes.adapters.consumer import consume
from tenfour_outcomes.adapters.store import OutcomesStore
from tenfour_outcomes.config import Settings
from tenfour_outcomes.domain.pseudonyms import Pseudonyms
from tenfour_outcomes.entrypoints.background import publish_forever
from tenfour_outcomes.entrypoints.event_handlers import identity_handlers, scheduling_handlers
from tenfour_outcomes.entrypoints.grpc_api import SERVICE_NAME, OutcomesApi
from tenfour_outcomes.entrypoints.policy import POLICY
from tenfour_outcomes.service.feedback import Clock, FeedbackService
from tenfour_outcomes.service.ingest import Ingest
from tenfour_outcomes.service.reports import Reports
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "outcomes"
log = logging.getLogger("tenfour.outcomes")


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """The service serving until the block ends; tests and benchmarks use it in-process."""
    key, development = settings.pseudonym_key()
    if development:
        log.warning("TENFOUR_OUTCOMES_PSEUDONYM_KEY is not set: using the development key")
    infra = Infra(settings, SERVICE)
    store = OutcomesStore(infra.redis)
    pseudonyms = Pseudonyms(key)
    ingest = Ingest(store, pseudonyms)
    reports = Reports(store, clock, settings.release_delay, settings.outcomes_history_months)
    feedback = FeedbackService(store, pseudonyms, clock, settings.release_delay)
    consume(infra, pseudonyms, "identity", identity_handlers(ingest))
    consume(infra, pseudonyms, "scheduling", scheduling_handlers(ingest))
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    outcomes_pb2_grpc.add_OutcomesServiceServicer_to_server(OutcomesApi(feedback, reports), runtime.server)
    async with runtime:
        await infra.connect(runtime)
        runtime.spawn("publisher", partial(publish_forever, reports, settings.outcomes_publish_every_seconds))
        await runtime.ready()
        yield runtime


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    async with running(settings) as runtime:
        await runtime.wait()
