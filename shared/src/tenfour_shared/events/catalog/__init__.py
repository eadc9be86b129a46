"""Event types per producing service: one module each, so each producer's list has one owner."""
