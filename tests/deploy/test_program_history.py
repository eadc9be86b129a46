"""`make run`'s demo history: a closed, publishable month of made-up, repeatable facts."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

from google.protobuf.message import Message

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour_shared.events.envelope import parse, to_nats


def unpack_payload(env: Envelope) -> Message:
    _, body, headers = to_nats(env)  # as it travels on NATS, and as consumers read it
    return parse(body, headers)[1]


ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location(
    "program_history", ROOT / "deploy" / "local" / "program_history.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
history = importlib.util.module_from_spec(_SPEC)
sys.modules["program_history"] = history
_SPEC.loader.exec_module(history)


def test_the_month_before_last_is_always_closed_and_past_its_publication_delay() -> None:
    assert history.history_month(date(2026, 12, 5)) == date(2026, 10, 1)
    assert history.history_month(date(2027, 1, 3)) == date(2026, 11, 1)
    assert history.history_month(date(2026, 3, 31)) == date(2026, 1, 1)


def test_enough_made_up_officers_for_figures_to_show_and_the_same_facts_every_run() -> None:
    events = history.history_events("ag-demo", date(2026, 12, 5))
    again = history.history_events("ag-demo", date(2026, 12, 5))
    assert [e.id for e in events] == [e.id for e in again]
    sessions = [p for p in map(unpack_payload, events) if isinstance(p, AppointmentStatusChanged)]
    officers = {o for s in sessions for o in s.appointment.officer_ids}
    assert len(officers) >= 11
    assert all(o.startswith("u-history-") for o in officers)
    assert {s.appointment.time.start.ToDatetime().month for s in sessions} == {10}
    enrolled = [p for p in map(unpack_payload, events) if isinstance(p, UserRegistered)]
    assert {u.user_id for u in enrolled} >= officers
