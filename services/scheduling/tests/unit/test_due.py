"""One pass over a due queue: due members are sent once with their event, those that no longer
hold are dropped, those not yet due stay queued."""

from __future__ import annotations

from datetime import UTC, datetime

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.service.due import send_due

NOW = datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # the morning of the spring-forward day in the US


class FakeDue:
    def __init__(self, items: dict[str, int]) -> None:
        self.queued = dict(items)
        self.sent: dict[str, Envelope] = {}

    async def schedule(self, items: dict[str, int]) -> None:
        for member, at in items.items():
            self.queued.setdefault(member, at)

    async def retime(self, items: dict[str, int]) -> int:
        moved = {m: at for m, at in items.items() if self.queued.get(m, at) != at}
        self.queued.update(moved)
        return len(moved)

    async def due(self, until_ms: int, limit: int = 200) -> list[str]:
        return sorted(m for m, at in self.queued.items() if at <= until_ms)[:limit]

    async def drop(self, member: str) -> None:
        self.queued.pop(member, None)

    async def send(self, member: str, event: Envelope) -> bool:
        if self.queued.pop(member, None) is None:
            return False
        self.sent[member] = event
        return True

    async def lease(self, holder: str, ttl_ms: int) -> bool:
        return True


async def test_due_members_are_sent_once_and_stale_ones_dropped() -> None:
    queue = FakeDue({"a|live": to_ms(NOW) - 1, "b|stale": to_ms(NOW), "c|later": to_ms(NOW) + 1})

    async def event_for(member: str, now: datetime) -> Envelope | None:
        return None if member.endswith("stale") else Envelope(id=member, subject=now.isoformat())

    assert await send_due(queue, NOW, event_for) == 1
    assert list(queue.sent) == ["a|live"]
    assert queue.sent["a|live"].subject == NOW.isoformat()
    assert list(queue.queued) == ["c|later"]  # the stale one dropped, the later one kept
    assert await send_due(queue, NOW, event_for) == 0  # nothing sent twice
