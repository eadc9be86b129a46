"""Tenfour outcomes: anonymous feedback and de-identified agency outcomes (tenfour.outcomes.v1)."""
