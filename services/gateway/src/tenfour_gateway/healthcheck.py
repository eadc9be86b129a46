"""`python -m tenfour_gateway.healthcheck [URL]`: exit 0 when the gateway answers 200 (container probes).

URL defaults to http://127.0.0.1:8080/healthz (liveness); pass .../readyz to also require every
backend to be SERVING.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8080/healthz"


def http_ok(url: str, timeout: float = 2.0) -> bool:
    if not url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (scheme checked above)
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print("usage: python -m tenfour_gateway.healthcheck [URL]", file=sys.stderr)
        return 2
    return 0 if http_ok(argv[1] if len(argv) == 2 else DEFAULT_URL) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
