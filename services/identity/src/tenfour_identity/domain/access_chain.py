"""The access audit trail as a hash chain: each entry holds the hash of the one before it, so
changing, removing or reordering any entry breaks every hash after it.

Pure: computing and checking hashes. Storage is adapters/access_trail.py. The hash covers a
canonical JSON of the entry's fields (sorted keys, no whitespace), so it is reproducible from
an export with any SHA-256 tool.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
ACTIONS = frozenset({"view", "join", "admit", "cancel", "reschedule"})


@dataclass(frozen=True, slots=True)
class AccessFact:
    """What happened, already pseudonymous: no raw user or appointment id ever gets here."""

    time_ms: int
    action: str
    session: str  # keyed pseudonym of the appointment id
    actor: str  # keyed pseudonym of the user id
    actor_role: str
    source: str  # the service that saw it


@dataclass(frozen=True, slots=True)
class ChainEntry:
    seq: int
    fact: AccessFact
    prev_hash: str
    hash: str


def entry_hash(seq: int, fact: AccessFact, prev_hash: str) -> str:
    body = {
        "seq": seq,
        "t": fact.time_ms,
        "action": fact.action,
        "session": fact.session,
        "actor": fact.actor,
        "role": fact.actor_role,
        "source": fact.source,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_entry(head_seq: int, head_hash: str, fact: AccessFact) -> ChainEntry:
    seq = head_seq + 1
    return ChainEntry(seq, fact, head_hash, entry_hash(seq, fact, head_hash))


@dataclass(frozen=True, slots=True)
class Verdict:
    intact: bool
    entries: int
    first_broken_seq: int  # 0 when intact
    head_hash: str


def verify(entries: Iterable[ChainEntry]) -> Verdict:
    """Walk the chain from its start: seqs 1, 2, 3…, each prev_hash the hash before it, and each
    hash recomputed from the entry's fields."""
    prev, count = GENESIS, 0
    for expected_seq, entry in enumerate(entries, start=1):
        count += 1
        recomputed = entry_hash(entry.seq, entry.fact, entry.prev_hash)
        if entry.seq != expected_seq or entry.prev_hash != prev or entry.hash != recomputed:
            return Verdict(False, count, expected_seq, prev)
        prev = entry.hash
    return Verdict(True, count, 0, prev)
