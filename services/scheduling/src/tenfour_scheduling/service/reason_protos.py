"""Domain reasons (codes with values) as the API's Reason messages."""

from __future__ import annotations

from collections.abc import Iterable

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.domain.reasons import Reason


def reason_proto(reason: Reason) -> pb.Reason:
    return pb.Reason(code=reason.code, params=dict(reason.params))


def reason_protos(reasons: Iterable[Reason]) -> list[pb.Reason]:
    return [reason_proto(r) for r in reasons]
