"""`python -m tenfour_notifications`: run the notifications service."""

from __future__ import annotations

import asyncio

from tenfour_notifications.bootstrap import serve
from tenfour_notifications.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
