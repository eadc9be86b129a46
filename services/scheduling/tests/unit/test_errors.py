"""Scheduling's errors say what happened, and each reaches the client as the status it promised."""

from __future__ import annotations

import grpc
import pytest

from tenfour_scheduling.domain.errors import (
    CannotBook,
    NotBookableNow,
    OutsideProviderHours,
    OutsideRoster,
    OverLimit,
    SlotTaken,
    cannot_book,
)
from tenfour_shared.rpc_status import code_for


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("provider_busy", SlotTaken),
        ("officer_busy", SlotTaken),
        ("on_duty", OutsideRoster),
        ("protected_sleep", OutsideRoster),
        ("quick_return", OutsideRoster),
        ("outside_provider_hours", OutsideProviderHours),
        ("provider_limit", OverLimit),
        ("too_soon", NotBookableNow),
        ("provider_unavailable", NotBookableNow),
    ],
)
def test_a_booking_problem_is_named_and_refused_as_a_failed_precondition(
    code: str, kind: type[CannotBook]
) -> None:
    error = cannot_book(code, "why, in words")
    assert type(error) is kind
    assert error.code == code
    assert error.message == f"cannot book this time: why, in words ({code})"
    assert code_for(error) is grpc.StatusCode.FAILED_PRECONDITION
