"""The availability service's own domain: a provider's stored state and free-time views.

Rule sets themselves, their validation and expansion live in tenfour_shared.calendar, shared
with scheduling, which expands the same rule sets from events.
"""
