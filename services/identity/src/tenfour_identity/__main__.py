"""`python -m tenfour_identity`: run the identity service."""

from __future__ import annotations

import asyncio

from tenfour_identity.bootstrap import serve
from tenfour_identity.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
