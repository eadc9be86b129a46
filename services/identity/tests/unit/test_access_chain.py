"""The access trail's hash chain: any change to any entry is found, and where."""

from __future__ import annotations

import dataclasses

from tenfour_identity.domain.access_chain import GENESIS, AccessFact, ChainEntry, next_entry, verify


def chain(n: int) -> list[ChainEntry]:
    entries: list[ChainEntry] = []
    seq, head = 0, GENESIS
    for i in range(n):
        fact = AccessFact(1_700_000_000_000 + i, "view", f"s-{i % 3}", f"a-{i % 2}", "officer", "scheduling")
        entry = next_entry(seq, head, fact)
        entries.append(entry)
        seq, head = entry.seq, entry.hash
    return entries


def test_an_untouched_chain_is_intact_and_reports_its_head() -> None:
    entries = chain(5)
    verdict = verify(entries)
    assert (verdict.intact, verdict.entries, verdict.first_broken_seq) == (True, 5, 0)
    assert verdict.head_hash == entries[-1].hash
    assert entries[0].prev_hash == GENESIS


def test_a_changed_field_breaks_the_chain_at_that_entry() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], fact=dataclasses.replace(entries[2].fact, action="cancel"))
    verdict = verify(entries)
    assert (verdict.intact, verdict.first_broken_seq) == (False, 3)


def test_a_removed_or_reordered_entry_is_found() -> None:
    entries = chain(5)
    assert verify(entries[:2] + entries[3:]).first_broken_seq == 3
    assert verify([entries[1], entries[0], *entries[2:]]).first_broken_seq == 1


def test_a_rehashed_forgery_still_breaks_the_next_link() -> None:
    entries = chain(4)
    forged_fact = dataclasses.replace(entries[1].fact, actor="a-forged")
    forged = next_entry(1, entries[0].hash, forged_fact)  # a consistent hash for the forged entry…
    verdict = verify([entries[0], forged, *entries[2:]])
    assert verdict.first_broken_seq == 3  # …but the entry after it still points at the original
