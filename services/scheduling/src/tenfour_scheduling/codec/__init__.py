"""Protobuf messages to domain values and back, with errors named by message field paths.

Used for requests (the entrypoint prefixes the paths with the request field, e.g. ``roster.``),
for what the adapters store (rosters, preferences and policies are kept as their canonical
messages and read back through these same functions) and, while use cases still build
protobuf appointments, by the service layer for instants and ranges.
"""
