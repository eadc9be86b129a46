"""Fields named in plain words, not by their request paths."""

from __future__ import annotations

import pytest

from tenfour_cli.fields import field_words


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("record.expires_at", "expiry date"),
        ("licence.issued_at", "date of issue"),
        ("rules.weekly[10].start", "weekly window 11, start"),
        ("profile.languages[1]", "language 2"),
        ("profile.languages", "languages"),
        ("roster.anchor", "rotation start"),
        ("overrides[0].day", "one-day change 1, day"),
        ("preferences.usual_sleep.end", "usual sleep, end"),
        ("some_new_field", "some new field"),
        ("", "the request"),
    ],
)
def test_a_field_path_reads_as_words(path: str, words: str) -> None:
    assert field_words(path) == words
