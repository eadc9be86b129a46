"""Tenfour notifications: the only service that sends anything to a person."""
