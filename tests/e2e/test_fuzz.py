"""The project's fuzz suite: every RPC of every service, generated bodies, every role.

One running system (all services as processes on real NATS and Redis) answers every case.
Per case it asserts: no UNKNOWN or INTERNAL, an answer (or, for a stream, a first reply or
status) within 2 s, a status message of at most 300 characters, and, when the call was refused,
Redis exactly as before (every key's DUMP).
After each RPC's cases every service must still be SERVING. `make test` runs 100 cases per RPC
drawn by Hypothesis (derandomized, so CI is repeatable); `make fuzz` sets TENFOUR_FUZZ_CASES=10000
and TENFOUR_FUZZ_RANDOM=1: fresh seeds, drawn by `random` (see fuzz_messages), and the RPCs split
over TENFOUR_FUZZ_SHARD=i/n processes, each with its own system. The counts per RPC and status
are printed at the end of the run.

What keeps a case cheap: Redis's change counter says whether anything was written at all, so the
full snapshot (every key's DUMP) is only taken and compared when something was; an accepted call
that wrote nothing is not waited on.
"""

from __future__ import annotations

import importlib.util
import os
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
import redis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tenfour_shared.auth.roles import Role
from tenfour_shared.launcher import SERVICES, health_status
from tenfour_testing.tokens import TestTokens

from .clients import ADMIN_ENV, OfficerSessions, admin_login, admin_session, refreshed_session
from .conftest import System, running_system
from .fuzz_messages import RandomDraw, Rpc, bodies, body, tenfour_services
from .fuzz_report import COUNTS, FAILED_CALLS, PROPERTY

CASES = int(os.environ.get("TENFOUR_FUZZ_CASES", "100"))
RANDOM_SEEDS = os.environ.get("TENFOUR_FUZZ_RANDOM", "") == "1"
MAX_SECONDS = 2.0
MAX_DETAILS = 300  # characters in a status message (tenfour_shared.errors clips to this)
REMINT_SECONDS = 60.0
UNSIGNED = ("anonymous", "forged")
STREAM_WAIT = 0.5  # a stream that stays open this long without a reply was accepted
FORBIDDEN = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
SERVING = 1

# Keys that change on a refused call, or at any time, by design: sign-in throttling, the count
# of wrong codes for a pending TOTP set-up and the audit trail record failures (that is their
# purpose); periodic jobs take turns with leases.
VOLATILE = ("identity:throttle", "identity:audit", "identity:mfa-pending", ":lease:")

SNAPSHOT = """
local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
  local d = redis.call('DUMP', k)
  out[#out + 1] = k
  out[#out + 1] = redis.sha1hex(d or '')
end
return out
"""

RUNNING = {full_name: name for name, (_, full_name) in SERVICES.items()}
RPCS = [Rpc(s, m) for s in tenfour_services() if s.full_name in RUNNING for m in s.methods]
SHARD, SHARDS = (int(n) for n in os.environ.get("TENFOUR_FUZZ_SHARD", "0/1").split("/"))
SEED = int(os.environ.get("TENFOUR_FUZZ_SEED", "0")) or random.SystemRandom().randrange(2**32)


def test_every_implemented_service_in_the_protos_is_started_and_fuzzed() -> None:
    # A proto whose server is still being written (no tenfour_<name> package yet) has nothing to
    # fuzz; as soon as the package exists, the launcher must start it and every RPC is covered.
    implemented = {s.full_name for s in tenfour_services() if _implemented(s.full_name)}

    assert implemented <= set(RUNNING), f"not started, so not fuzzed: {implemented - set(RUNNING)}"
    assert len(RPCS) >= 60
    assert [r for i, r in enumerate(RPCS) if i % SHARDS == SHARD], "an empty shard fuzzes nothing"


def _implemented(full_name: str) -> bool:
    return importlib.util.find_spec(f"tenfour_{full_name.split('.')[1]}") is not None


class Target:
    """The running system plus what the cases need: channels, callers, a Redis snapshot."""

    def __init__(self, system: System, tokens: TestTokens) -> None:
        self.system = system
        self.channels = {name: grpc.insecure_channel(p.target) for name, p in system.services.items()}
        self.redis = redis.Redis.from_url(system.redis.url)
        self.snapshot_script = self.redis.register_script(SNAPSHOT)
        self.tokens = tokens
        self.callers: dict[str, tuple[tuple[str, str], ...]] = {"anonymous": ()}
        self.callers["forged"] = (("authorization", "Bearer eyJhbGciOiJub25lIn0.e30."),)
        session, self._totp_secret = admin_session(system.services["identity"].target)
        self._admin_refresh = session.refresh_token
        self._officers = OfficerSessions(system.services["identity"].target, session.access_token)
        officer = self._officers.enrol()
        self._officer_refresh = officer.refresh_token
        self._mint(session.access_token, officer.access_token)
        self.settle(within=15.0, quiet=0.5)  # the enrolment's consequences (inbox, read models)

        self._cached: tuple[tuple[int, int], dict[bytes, bytes]] | None = None
        self.details = ""  # the status message of the last call

    def _mint(self, admin_access: str, officer_access: str) -> None:
        # Access tokens live 10 minutes and a 10,000-case RPC can take longer: without fresh ones
        # every signed-in caller would quietly turn into an UNAUTHENTICATED case.
        for role in Role:
            self.callers[role.value] = self.tokens.metadata(role, subject=f"{role.value}-fuzz")
        self.callers["identity-admin"] = (("authorization", f"Bearer {admin_access}"),)
        self.callers["identity-officer"] = (("authorization", f"Bearer {officer_access}"),)
        self._minted = time.monotonic()

    def metadata(self, caller: str) -> tuple[tuple[str, str], ...]:
        """The caller's credentials, re-minted every minute so none expires mid-run."""
        if time.monotonic() - self._minted > REMINT_SECONDS:
            identity = self.system.services["identity"].target
            try:
                session = refreshed_session(identity, self._admin_refresh)
            except grpc.RpcError:
                # A fuzzed Logout or key rotation may have ended the admin's session.
                session = admin_login(identity, self._totp_secret)
            self._admin_refresh = session.refresh_token
            try:
                officer = refreshed_session(identity, self._officer_refresh)
            except grpc.RpcError:
                officer = self._officers.enrol()
            self._officer_refresh = officer.refresh_token
            self._mint(session.access_token, officer.access_token)
        return self.callers[caller]

    def writes(self) -> tuple[int, int]:
        """Redis's count of changes (with its last save time, in case a save resets it)."""
        info = self.redis.info("persistence")
        return int(info["rdb_changes_since_last_save"]), int(info["rdb_last_save_time"])

    def snapshot(self) -> dict[bytes, bytes]:
        """Every non-volatile key's DUMP digest; re-read only when Redis was written since."""
        mark = self.writes()
        if self._cached is not None and self._cached[0] == mark:
            return self._cached[1]
        flat = self.snapshot_script()
        state = {k: v for k, v in zip(flat[::2], flat[1::2], strict=True) if not _volatile(k)}
        self._cached = (mark, state)
        return state

    def settle(self, within: float = 3.0, quiet: float = 0.1) -> None:
        """Wait until Redis has not changed for `quiet` seconds (an accepted write's events consumed)."""
        deadline = time.monotonic() + within
        last, since = self.writes(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.writes()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def call(
        self, rpc: Rpc, body: bytes, metadata: tuple[tuple[str, str], ...]
    ) -> tuple[grpc.StatusCode, float]:
        channel = self.channels[RUNNING[rpc.service.full_name]]
        started = time.monotonic()
        self.details = ""
        if not rpc.streams_out:
            try:
                channel.unary_unary(rpc.path)(body, metadata=metadata, timeout=10)
                return grpc.StatusCode.OK, time.monotonic() - started
            except grpc.RpcError as error:
                self.details = error.details() or ""
                return error.code(), time.monotonic() - started
        if rpc.streams_in:
            call = channel.stream_stream(rpc.path)(iter([body, body]), metadata=metadata, timeout=STREAM_WAIT)
        else:
            call = channel.unary_stream(rpc.path)(body, metadata=metadata, timeout=STREAM_WAIT)
        try:
            next(call, None)
            call.cancel()
            return grpc.StatusCode.OK, time.monotonic() - started
        except grpc.RpcError as error:
            code = error.code()
            self.details = error.details() or ""
            # Still open when our short deadline hit: the server accepted the stream.
            return (
                grpc.StatusCode.OK if code is grpc.StatusCode.DEADLINE_EXCEEDED else code
            ), time.monotonic() - started

    def all_serving(self) -> dict[str, int]:
        return {
            name: health_status(proc.target, SERVICES[name][1], timeout=5)
            for name, proc in self.system.services.items()
        }

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        self.redis.close()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, test_tokens: TestTokens) -> Iterator[Target]:
    with running_system(tmp_path_factory.mktemp("fuzz"), test_tokens, **ADMIN_ENV) as system:
        fuzz = Target(system, test_tokens)
        try:
            yield fuzz
        finally:
            fuzz.close()


def _volatile(key: bytes) -> bool:
    text = key.decode(errors="replace")
    return any(part in text for part in VOLATILE)


def _changed(before: dict[bytes, bytes], after: dict[bytes, bytes]) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k.decode() for k in keys if before.get(k) != after.get(k))


def test_the_change_detector_sees_any_write(target: Target) -> None:
    # The fast path trusts Redis's change counter: a write it missed would hide a corrupting
    # refusal, so check that a single SET is seen, and named, by the comparison the cases use.
    target.settle(within=15.0, quiet=0.5)  # nothing else writing while the probe is looked for
    before, mark = target.snapshot(), target.writes()
    target.redis.set("fuzz:probe", "1")
    try:
        assert target.writes() != mark
        assert _changed(before, target.snapshot()) == ["fuzz:probe"]
    finally:
        target.redis.delete("fuzz:probe")


SHARD_RPCS = [r for i, r in enumerate(RPCS) if i % SHARDS == SHARD]


@pytest.mark.parametrize("rpc", SHARD_RPCS, ids=[r.path.lstrip("/") for r in SHARD_RPCS])
def test_fuzz_rpc(target: Target, rpc: Rpc, record_property: Any) -> None:
    counts: Counter[str] = COUNTS.setdefault(rpc.path, Counter())
    callers = sorted(target.callers)

    def one_case(case: tuple[str, bytes], caller: str) -> None:
        kind, blob = case
        credentials = target.metadata(caller)  # a re-mint writes to Redis: before the snapshot
        before = target.snapshot()
        mark = target.writes()
        code, seconds = target.call(rpc, blob, credentials)
        counts["cases"] += 1
        counts[code.name] += 1
        if code is grpc.StatusCode.UNAUTHENTICATED and caller not in UNSIGNED:
            # A valid token refused: an expired one would make the case test nothing past sign-in.
            counts["signed_in_refused_as_unauthenticated"] += 1
        if code in FORBIDDEN:
            FAILED_CALLS.append((rpc.path, caller, kind, blob.hex()[:200], code.name))
        assert code not in FORBIDDEN, (
            f"{rpc.path} as {caller} ({kind}) answered {code.name}: {blob.hex()[:200]}"
        )
        assert seconds < MAX_SECONDS, f"{rpc.path} as {caller} took {seconds:.2f} s"
        # A refusal quotes at most a short excerpt of the input, never the input itself.
        assert len(target.details) <= MAX_DETAILS, f"{rpc.path}: {len(target.details)}-character message"
        if target.writes() == mark:
            return  # nothing at all was written, accepted or not
        if code is grpc.StatusCode.OK:
            target.settle()
            return
        changed = _changed(before, target.snapshot())
        if changed:
            # Consumers and periodic jobs write too: once Redis is quiet, the same call again
            # on its own must change nothing.
            target.settle(within=10.0, quiet=1.0)
            before = target.snapshot()
            again, _ = target.call(rpc, blob, credentials)
            changed = [] if again is grpc.StatusCode.OK else _changed(before, target.snapshot())
        assert not changed, f"{rpc.path} as {caller} refused ({code.name}) yet changed {changed[:5]}"

    try:
        if RANDOM_SEEDS:
            # Seeded per RPC, so one RPC's failure reproduces with TENFOUR_FUZZ_SEED alone.
            seed = SEED ^ zlib.crc32(rpc.path.encode())
            rnd = random.Random(seed)
            draw = RandomDraw(rnd)
            for _ in range(CASES):
                try:
                    one_case(body(draw, rpc), draw.choice(callers))
                except AssertionError as failure:
                    raise AssertionError(f"{failure} (TENFOUR_FUZZ_SEED={SEED})") from None
        else:
            _hypothesis_cases(rpc, callers, one_case)
    finally:
        record_property(PROPERTY, (rpc.path, dict(counts)))
    assert counts["cases"] >= CASES
    not_serving = {name: status for name, status in target.all_serving().items() if status != SERVING}
    assert not not_serving, f"after fuzzing {rpc.path}: {not_serving}"


def _hypothesis_cases(
    rpc: Rpc, callers: list[str], one_case: Callable[[tuple[str, bytes], str], None]
) -> None:
    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # a failure is reported as drawn, not shrunk
        print_blob=True,
    )
    @given(case=bodies(rpc), caller=st.sampled_from(callers))
    def run(case: tuple[str, bytes], caller: str) -> None:
        one_case(case, caller)

    run()
