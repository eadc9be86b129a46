# Real NATS/Redis fixtures for every test directory in the repository.
pytest_plugins = ["tenfour_shared.testing"]
