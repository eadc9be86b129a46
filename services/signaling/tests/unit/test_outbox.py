from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tenfour_signaling.domain import Heartbeat, MustRejoin, Outbox, Renegotiate, Replay

T0 = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
RECIPIENT = "Abcdefgh12345678"


def filled(times: list[float]) -> Outbox:
    box = Outbox(session_id="s1", recipient=RECIPIENT)
    for t in times:
        box, _ = box.push(Heartbeat(), T0 + timedelta(seconds=t))
    return box


def test_sequence_numbers_increase_by_one_per_recipient() -> None:
    box = Outbox(session_id="s1", recipient=RECIPIENT)
    seqs = []
    for _ in range(3):
        box, envelope = box.push(Renegotiate(), T0, sender="Zyxwvuts87654321")
        seqs.append(envelope.seq)
    assert seqs == [1, 2, 3]
    assert envelope.recipient == RECIPIENT
    assert envelope.sender == "Zyxwvuts87654321"


def test_resume_replays_what_came_after() -> None:
    box = filled([0, 1, 2, 3])
    result = box.resume(2, T0 + timedelta(seconds=5))
    assert isinstance(result, Replay)
    assert [e.seq for e in result.envelopes] == [3, 4]


def test_resume_when_up_to_date_replays_nothing_even_after_a_long_gap() -> None:
    box = filled([0, 1])
    assert box.resume(2, T0 + timedelta(minutes=10)) == Replay(())


def test_gap_older_than_thirty_seconds_means_rejoin() -> None:
    box = filled([0, 10, 20, 35])
    assert isinstance(box.resume(1, T0 + timedelta(seconds=36)), Replay)  # seq 2 at 10 s still held
    assert isinstance(box.resume(1, T0 + timedelta(seconds=40)), MustRejoin)  # seq 2 is 30 s old
    assert isinstance(box.resume(0, T0 + timedelta(seconds=36)), MustRejoin)


def test_unknown_sequence_numbers_mean_rejoin() -> None:
    box = filled([0])
    assert isinstance(box.resume(5, T0), MustRejoin)
    assert isinstance(box.resume(-1, T0), MustRejoin)


def test_overflow_is_detected_like_an_old_gap() -> None:
    box = Outbox(session_id="s1", recipient=RECIPIENT, max_held=4)
    for _ in range(6):
        box, _ = box.push(Heartbeat(), T0)
    assert isinstance(box.resume(1, T0), MustRejoin)
    result = box.resume(2, T0)
    assert isinstance(result, Replay)
    assert [e.seq for e in result.envelopes] == [3, 4, 5, 6]


def test_compact_drops_aged_signals() -> None:
    box = filled([0, 1]).compact(T0 + timedelta(seconds=31))
    assert box.held == ()
    assert box.last_seq == 2


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=8, allow_nan=False), min_size=1, max_size=40),
    seen_fraction=st.floats(min_value=0, max_value=1),
    delay=st.floats(min_value=0, max_value=45, allow_nan=False),
)
def test_resume_is_exactly_once_in_order_or_rejoin(
    gaps: list[float], seen_fraction: float, delay: float
) -> None:
    times: list[float] = []
    for gap in gaps:
        times.append((times[-1] if times else 0.0) + gap)
    box = filled(times)
    last_seen = int(seen_fraction * len(times))
    now = T0 + timedelta(seconds=times[-1] + delay)
    result = box.resume(last_seen, now)
    if last_seen == len(times):
        assert result == Replay(())
        return
    first_missed_at = T0 + timedelta(seconds=times[last_seen])
    if now - first_missed_at >= timedelta(seconds=30):
        assert isinstance(result, MustRejoin)
    else:
        assert isinstance(result, Replay)
        assert [e.seq for e in result.envelopes] == list(range(last_seen + 1, len(times) + 1))
