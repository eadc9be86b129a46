"""Trace context: children keep the caller's trace id, junk starts a new trace."""

from __future__ import annotations

import re

from tenfour_shared import tracing

VALID = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")


def test_child_keeps_the_trace_id_with_a_new_span() -> None:
    parent = tracing.new_traceparent()
    child = tracing.continue_from(parent)
    assert VALID.match(child)
    assert child[3:35] == parent[3:35]
    assert child[36:52] != parent[36:52]


def test_malformed_or_missing_context_starts_a_new_trace() -> None:
    for junk in (
        "",
        "00-xyz",
        "01-" + "a" * 32 + "-" + "b" * 16 + "-01",
        "00-" + "a" * 31 + "-" + "b" * 16 + "-01",
    ):
        fresh = tracing.continue_from(junk)
        assert VALID.match(fresh)
        assert "a" * 31 not in fresh


def test_activation_is_scoped() -> None:
    assert tracing.trace_id() == ""
    token = tracing.activate(tracing.new_traceparent("c" * 32))
    assert tracing.trace_id() == "c" * 32
    tracing.deactivate(token)
    assert tracing.trace_id() == ""
