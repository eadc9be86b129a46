"""Use cases: what callers and events can do to a provider's availability."""
