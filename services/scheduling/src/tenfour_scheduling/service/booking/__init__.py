"""Placing sessions: one transaction (transaction.py) and one module per use case (book,
reschedule, groups and seats; series.py books through ``Book``)."""

from tenfour_scheduling.service.clock import Clock  # kept importable from here for older imports

__all__ = ["Clock"]
