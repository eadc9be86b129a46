"""`tenfour`: the operator and scripting command line of Tenfour (a gRPC client, not a server)."""

__version__ = "0.1.0"
