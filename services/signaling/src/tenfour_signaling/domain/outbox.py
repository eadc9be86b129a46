"""Per-recipient outbox: stamps sequence numbers and keeps recent signals for resumption.

A client whose stream broke resumes with the last sequence number it saw and gets every later
signal exactly once, in order, as long as the first one it missed is still held (30 s);
otherwise it must rejoin (fresh offer/answer), since a partial replay would desynchronise it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from tenfour_shared.timeline import as_utc

from .signals import SignalEnvelope, SignalPayload

__all__ = ["RESUME_WINDOW", "MustRejoin", "Outbox", "Replay", "ResumeResult", "plan_resume"]

RESUME_WINDOW = timedelta(seconds=30)
# Bounds memory if a peer floods (e.g. candidates); overflowing is detected like an old gap.
MAX_BUFFERED = 512


@dataclass(frozen=True, slots=True)
class Replay:
    """Signals after ``last_seen_seq``, oldest first (possibly none)."""

    envelopes: tuple[SignalEnvelope, ...]


@dataclass(frozen=True, slots=True)
class MustRejoin:
    reason: str


ResumeResult = Replay | MustRejoin


class _Sequenced(Protocol):
    @property
    def seq(self) -> int: ...


S = TypeVar("S", bound=_Sequenced)


def plan_resume(last_seq: int, held: Sequence[S], last_seen_seq: int) -> tuple[S, ...] | MustRejoin:
    """What a client that saw up to ``last_seen_seq`` gets, from the signals still ``held``.

    ``held`` are the recipient's retained envelopes, oldest first, with contiguous seqs ending at
    ``last_seq`` (older ones aged out). Shared by the in-memory Outbox and the Redis buffer.
    """
    if last_seen_seq < 0 or last_seen_seq > last_seq:
        return MustRejoin("unknown sequence number")
    if last_seen_seq == last_seq:
        return ()
    # The first missed signal is held iff the oldest held seq is at or before it.
    if not held or held[0].seq > last_seen_seq + 1:
        return MustRejoin("missed signals are no longer held")
    return tuple(e for e in held if e.seq > last_seen_seq)


@dataclass(frozen=True, slots=True)
class _Held:
    at: datetime
    envelope: SignalEnvelope


@dataclass(frozen=True, slots=True)
class Outbox:
    """Immutable: ``push`` returns the next outbox along with the stamped envelope."""

    session_id: str
    recipient: str
    last_seq: int = 0
    retention: timedelta = RESUME_WINDOW
    max_held: int = MAX_BUFFERED
    held: tuple[_Held, ...] = field(default=(), repr=False)

    def _pruned(self, now: datetime) -> tuple[_Held, ...]:
        cutoff = as_utc(now) - self.retention
        kept = tuple(h for h in self.held if h.at > cutoff)
        return kept[-self.max_held :]

    def push(
        self, payload: SignalPayload, now: datetime, sender: str | None = None
    ) -> tuple[Outbox, SignalEnvelope]:
        seq = self.last_seq + 1
        envelope = SignalEnvelope(
            session_id=self.session_id,
            seq=seq,
            sent_at=now,
            sender=sender,
            recipient=self.recipient,
            payload=payload,
        )
        held = (*self._pruned(now), _Held(as_utc(now), envelope))[-self.max_held :]
        return replace(self, last_seq=seq, held=held), envelope

    def resume(self, last_seen_seq: int, now: datetime) -> ResumeResult:
        """What to send a client that has seen everything up to ``last_seen_seq`` (0: nothing)."""
        held = tuple(h.envelope for h in self._pruned(now))
        planned = plan_resume(self.last_seq, held, last_seen_seq)
        return planned if isinstance(planned, MustRejoin) else Replay(planned)

    def compact(self, now: datetime) -> Outbox:
        """Drop what has aged out (pushes do this too)."""
        return replace(self, held=self._pruned(now))
