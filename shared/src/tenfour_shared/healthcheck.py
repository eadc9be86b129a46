"""`python -m tenfour_shared.healthcheck HOST:PORT [SERVICE]`: exit 0 when SERVING (container probes)."""

from __future__ import annotations

import sys

from grpc_health.v1 import health_pb2

from tenfour_shared.launcher import health_status


def main(argv: list[str]) -> int:
    if not 2 <= len(argv) <= 3:
        print("usage: python -m tenfour_shared.healthcheck HOST:PORT [SERVICE]", file=sys.stderr)
        return 2
    service = argv[2] if len(argv) == 3 else ""
    return 0 if health_status(argv[1], service, timeout=2.0) == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
