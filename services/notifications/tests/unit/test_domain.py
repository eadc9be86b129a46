"""Pure rules: quiet hours across midnight and both DST transitions, backoff, signatures,
validation of what people type."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

import pytest

from tenfour_notifications.domain import validation
from tenfour_notifications.domain.preferences import QuietHours
from tenfour_notifications.domain.retry import Backoff
from tenfour_notifications.domain.signature import sign, verify
from tenfour_shared.errors import InvalidInput

NIGHT = QuietHours(time(22), time(7), "America/Chicago")


@pytest.mark.parametrize(
    ("now", "until"),
    [
        # CST (UTC-6): 23:00 local -> 07:00 local = 13:00 UTC
        (datetime(2026, 1, 15, 5, 0, tzinfo=UTC), datetime(2026, 1, 15, 13, 0, tzinfo=UTC)),
        # The night clocks spring forward (8 March 2026): 22:30 CST -> 07:00 CDT = 12:00 UTC
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        # The night clocks fall back (1 November 2026): 23:00 CDT -> 07:00 CST = 13:00 UTC
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
        # After midnight, before the end: 03:00 CST
        (datetime(2026, 1, 15, 9, 0, tzinfo=UTC), datetime(2026, 1, 15, 13, 0, tzinfo=UTC)),
        # Daytime: not quiet
        (datetime(2026, 1, 15, 18, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_end_at_local_wall_clock_time(now: datetime, until: datetime | None) -> None:
    assert NIGHT.quiet_until(now) == until


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(time(12), time(13), "UTC")
    assert lunch.quiet_until(datetime(2026, 1, 1, 12, 30, tzinfo=UTC)) == datetime(2026, 1, 1, 13, tzinfo=UTC)
    assert lunch.quiet_until(datetime(2026, 1, 1, 13, 0, tzinfo=UTC)) is None


def test_an_unknown_zone_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        QuietHours(time(22), time(6), "Mars/Olympus")
    assert caught.value.violations[0].field == "preferences.quiet_hours.timezone"


def test_backoff_doubles_with_jitter_and_honours_retry_after() -> None:
    backoff = Backoff(1.0, 300.0, 8)
    rng = random.Random(7)
    delays = [backoff.delay(n, rng) for n in range(1, 11)]
    for n, d in enumerate(delays, start=1):
        ceiling = min(300.0, 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert backoff.delay(1, rng, asked=120.0) == 120.0
    assert backoff.exhausted(8)
    assert not backoff.exhausted(7)


def test_a_signature_verifies_only_with_the_secret_the_body_and_a_fresh_timestamp() -> None:
    body = b'{"type":"urgent_escalation"}'
    header = sign("s" * 40, 1_700_000_000, body)
    assert verify("s" * 40, 1_700_000_000, body, header, now=1_700_000_100)
    assert not verify("t" * 40, 1_700_000_000, body, header, now=1_700_000_100)
    assert not verify("s" * 40, 1_700_000_000, body + b" ", header, now=1_700_000_100)
    assert not verify("s" * 40, 1_700_000_000, body, header, now=1_700_000_000 + 301)


def test_what_people_type_is_checked() -> None:
    assert validation.email_address(" Officer@Example.org ") == "Officer@example.org"
    with pytest.raises(InvalidInput):
        validation.email_address("nobody@")
    with pytest.raises(InvalidInput) as bad:
        validation.push_subscription("http://push.example/x", "AAAA", "AAAA", allow_loopback_http=True)
    assert {v.field for v in bad.value.violations} == {"endpoint", "p256dh", "auth"}
    with pytest.raises(InvalidInput):
        validation.webhook_url("http://hooks.example/x", allow_loopback_http=False)
    validation.webhook_url("http://127.0.0.1:9/x", allow_loopback_http=True)


@pytest.mark.parametrize("zone", ["a" * 256, "../../etc/passwd", "Europe/../../x"])
def test_an_impossible_zone_name_is_invalid_not_an_internal_error(zone: str) -> None:
    # Found by the fuzz suite: ZoneInfo raises OSError for a 256-character name.
    with pytest.raises(InvalidInput):
        QuietHours(time(22), time(6), zone)
