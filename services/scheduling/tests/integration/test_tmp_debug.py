import traceback
import tenfour_shared.rpc_errors as rpc_errors
from .conftest import Harness
from .test_booking import test_200_clients_race_for_20_slots

seen = set()
orig = rpc_errors._as_domain


def patched(exc):
    out = orig(exc)
    if out is None:
        key = type(exc).__name__ + str(exc)[:100]
        if key not in seen:
            seen.add(key)
            traceback.print_exception(exc)
    return out


rpc_errors._as_domain = patched


async def test_debug(harness: Harness) -> None:
    await test_200_clients_race_for_20_slots(harness)
