"""Salesforce client overhead: queries/s through SalesforceClient vs raw aiohttp GETs.

Starts `crmsim sandbox serve --org b2b` (seeded) in a subprocess, then runs the same SOQL Id
lookups (`SELECT Id, Subject, Status FROM Case WHERE Id = '...'`) with the same concurrency two ways:
  - client: `SalesforceClient.query_all(soql)` (auth, concurrency limiter, retry wrapper, JSON),
  - raw:    `aiohttp.ClientSession.get(.../query?q=...)` with a bearer token, then `resp.json()`.
Rounds alternate between the two (client first in even rounds, raw first in odd ones) so that
drift in the machine or the server hits both alike. CPU per call is this process's CPU time
(time.process_time) over the calls made; the server's CPU is not counted.
`--profile` adds a cProfile run of the client path and prints where its time goes.
The last line printed is one JSON object with every figure.

Run: .venv/bin/python benchmarks/client.py [--seconds 2] [--rounds 6] [--concurrency 32] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import anyio

from crmsim.logs import configure_logging
from crmsim.salesforce import SalesforceClient, SalesforceConfig

API = "/services/data/v62.0"
LOGIN = {"grant_type": "password", "client_id": "crmsim", "client_secret": "crmsim",
         "username": "admin@crmsim.local", "password": "crmsim"}
TARGET_RATIO = 1.3


@dataclass
class Tally:
    calls: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def qps(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_call(self) -> float:
        return 1e6 * self.cpu / self.calls if self.calls else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(db: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "crmsim.cli", "--log-level", "warning", "sandbox", "serve", "--org", "b2b",
               "--db", str(db), "--port", str(port)]
    return subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_ready(http: aiohttp.ClientSession, base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"sandbox exited early with code {proc.returncode}")
        try:
            async with http.get(f"{base}/services/data/") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await anyio.sleep(0.1)
    raise SystemExit("sandbox did not start within 60 s")


async def run_round(call: Callable[[str], Awaitable[None]], queries: list[str], seconds: float,
                    concurrency: int) -> Tally:
    """``concurrency`` workers calling ``call`` back to back for ``seconds``."""
    rng = random.Random(len(queries))
    calls = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal calls
        while time.monotonic() < stop:
            await call(rng.choice(queries))
            calls += 1

    cpu0, t0 = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return Tally(calls, time.perf_counter() - t0, time.process_time() - cpu0)


async def measure(args: argparse.Namespace, base: str, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as raw_http:
        await wait_ready(raw_http, base, proc)
        async with raw_http.post(f"{base}/services/oauth2/token", data=LOGIN) as resp:
            token = (await resp.json())["access_token"]
        bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        query_url = f"{base}{API}/query"

        async def raw(soql: str) -> None:
            async with raw_http.get(query_url, params={"q": soql}, headers=bearer) as response:
                body = await response.json()
                if response.status != 200 or body["totalSize"] != 1:
                    raise SystemExit(f"raw query failed ({response.status}): {body}")

        config = SalesforceConfig(instance_url=base, max_concurrency=args.concurrency)
        async with SalesforceClient(config) as client:

            async def through_client(soql: str) -> None:
                result = await client.query_all(soql)
                if result.total_size != 1:
                    raise SystemExit(f"client query returned {result.total_size} records: {soql}")

            ids = [r["Id"] for r in (await client.query_all("SELECT Id FROM Case")).records]
            queries = [f"SELECT Id, Subject, Status FROM Case WHERE Id = '{i}'" for i in ids]
            print(f"{len(ids)} Case Ids; {args.rounds} rounds of {args.seconds:g} s per path, "
                  f"{args.concurrency} concurrent calls")
            for call in (through_client, raw):  # warm up both paths (and the server's plan cache)
                await run_round(call, queries, 0.5, args.concurrency)

            tallies = {"client": Tally(), "raw": Tally()}
            paths = {"client": through_client, "raw": raw}
            for n in range(args.rounds):
                order = ("client", "raw") if n % 2 == 0 else ("raw", "client")
                shown = []
                for name in order:
                    got = await run_round(paths[name], queries, args.seconds, args.concurrency)
                    total = tallies[name]
                    total.calls, total.seconds, total.cpu = (total.calls + got.calls, total.seconds + got.seconds,
                                                             total.cpu + got.cpu)
                    shown.append(f"{name} {got.qps:7.0f} q/s {got.cpu_us_per_call:6.0f} µs CPU/call")
                print(f"round {n + 1}: " + "   ".join(shown))

            profiles = {}
            if args.profile:
                for name, call in paths.items():
                    profiler = cProfile.Profile()
                    profiler.enable()
                    got = await run_round(call, queries, args.seconds, args.concurrency)
                    profiler.disable()
                    profiles[name] = (profiler, got.calls)
            stats = client.stats
    return {"tallies": tallies, "profiles": profiles, "retries": stats.retries, "logins": stats.logins}


PACKAGES = ("crmsim", "tenacity", "anyio", "structlog", "aiohttp", "yarl", "multidict", "json", "asyncio")


def _package(filename: str) -> str:
    parts = Path(filename).parts
    for name in PACKAGES:
        if name in parts or f"{name}.py" in parts:
            return name
    return "other" if filename != "~" else "builtins (socket, C calls)"


def print_profiles(profiles: dict[str, tuple[cProfile.Profile, int]], limit: int = 15) -> None:
    """Own time per call grouped by package, side by side, then the client's top functions."""
    per_package: dict[str, dict[str, float]] = {}
    for name, (profiler, calls) in profiles.items():
        raw_stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        for (filename, _, _), (_, _, tottime, _, _) in raw_stats.items():
            row = per_package.setdefault(_package(filename), {})
            row[name] = row.get(name, 0.0) + 1e6 * tottime / calls
    print("own time per query under cProfile (µs; profiling inflates every figure):")
    print(f"  {'package':28} {'client':>8} {'raw':>8} {'extra':>8}")
    for package, row in sorted(per_package.items(), key=lambda kv: -kv[1].get("client", 0.0)):
        client, raw = row.get("client", 0.0), row.get("raw", 0.0)
        print(f"  {package:28} {client:8.1f} {raw:8.1f} {client - raw:+8.1f}")
    out = io.StringIO()
    pstats.Stats(profiles["client"][0], stream=out).sort_stats("tottime").print_stats(
        r"crmsim|tenacity|anyio|structlog", limit)
    print("client path, crmsim/tenacity/anyio/structlog functions by own time:")
    print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round per path (default 2)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per path (default 6)")
    parser.add_argument("--concurrency", type=int, default=32, help="calls in flight (default 32)")
    parser.add_argument("--profile", action="store_true", help="also profile the client path with cProfile")
    args = parser.parse_args()

    configure_logging(level="warning")  # as the CLI does; without it structlog prints debug lines
    db = Path(tempfile.mkdtemp(prefix="crmsim-bench-client-")) / "b2b.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_sandbox(db, port)
    try:
        results = anyio.run(measure, args, base, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    client, raw = results["tallies"]["client"], results["tallies"]["raw"]
    ratio = raw.qps / client.qps if client.qps else float("inf")
    cpu_ratio = client.cpu_us_per_call / raw.cpu_us_per_call if raw.cpu_us_per_call else float("inf")
    print(f"client: {client.qps:.0f} queries/s, {client.cpu_us_per_call:.0f} µs CPU per call ({client.calls} calls)")
    print(f"raw:    {raw.qps:.0f} queries/s, {raw.cpu_us_per_call:.0f} µs CPU per call ({raw.calls} calls)")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"overhead: {ratio:.2f}x throughput ({verdict} the {TARGET_RATIO}x target), {cpu_ratio:.2f}x CPU per call")
    if results["profiles"]:
        print_profiles(results["profiles"])
    summary = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "date": date.today().isoformat(),
        "concurrency": args.concurrency,
        "seconds_per_path": round(client.seconds, 1),
        "client_qps": round(client.qps, 1),
        "raw_qps": round(raw.qps, 1),
        "overhead_ratio": round(ratio, 3),
        "client_cpu_us_per_call": round(client.cpu_us_per_call, 1),
        "raw_cpu_us_per_call": round(raw.cpu_us_per_call, 1),
        "cpu_ratio": round(cpu_ratio, 3),
        "client_retries": results["retries"],
        "client_logins": results["logins"],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
