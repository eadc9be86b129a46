"""`python -m tenfour_signaling`: run the signaling service."""

from __future__ import annotations

import asyncio

from tenfour_shared.config import load_settings
from tenfour_signaling.bootstrap import serve
from tenfour_signaling.config import Settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
