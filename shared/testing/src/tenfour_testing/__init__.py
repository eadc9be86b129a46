"""Test and development support: real servers on free ports, test tokens, a running system.

Never part of a service's image: `make run` and the tests use it; production code never does.
"""
