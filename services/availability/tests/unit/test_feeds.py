"""Calendar subscriptions' rules: which addresses are followed, when to fetch next, when to pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_availability.adapters.feed_fetcher import is_public
from tenfour_availability.domain.feeds import Feed, FeedError, FeedPolicy, display_url, normalize_url

NOW = datetime(2026, 3, 8, 9, tzinfo=UTC)


def test_webcal_links_are_fetched_over_https_and_shown_without_their_secret_path() -> None:
    url = normalize_url("  webcal://calendar.example.com/private-9f8e7d/basic.ics ")

    assert url == "https://calendar.example.com/private-9f8e7d/basic.ics"
    assert display_url(url) == "https://calendar.example.com/…"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "file:///etc/passwd",
        "gopher://x.example/",
        "https://",
        "https://a:b@x.example/c.ics",
        "https://x.example/a b.ics",
        "http://x.example:99999/",
    ],
)
def test_addresses_that_are_not_plain_http_are_refused(raw: str) -> None:
    with pytest.raises(FeedError) as caught:
        normalize_url(raw)

    assert caught.value.code == "invalid_url"


def test_failures_back_off_doubling_then_pause_and_a_success_starts_over() -> None:
    policy = FeedPolicy(every=timedelta(minutes=15), max_backoff=timedelta(hours=1), pause_after=4)
    feed = Feed("p", "https://x.example/c.ics")
    waits = []
    for _ in range(3):
        feed = policy.failed(feed, NOW, FeedError("timeout", "slow"))
        assert feed.next_at is not None
        waits.append(feed.next_at - NOW)
    paused = policy.failed(feed, NOW, FeedError("timeout", "slow"))

    assert waits == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1)]
    assert paused.paused
    assert paused.next_at is None
    assert not policy.due(paused, NOW + timedelta(days=9))
    again = policy.succeeded(paused, NOW, '"v2"', "", 3)
    assert (again.failures, again.paused, again.last_error, again.busy_intervals) == (0, False, "", 3)
    assert again.next_at == NOW + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.9", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::5", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_only_public_addresses_pass_the_guard(address: str, public: bool) -> None:
    assert is_public(address) is public
