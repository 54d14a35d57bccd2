"""Sandbox throughput and latency against raw SQLite.

Builds an org database with a large Case table, starts `crmsim sandbox serve` in a subprocess (so
the server has a core to itself), and measures over loopback HTTP:
  - Id lookups per second with concurrent clients (SOQL `WHERE Id = '...'`),
  - p50/p99 latency of an Id lookup, a parent-path filter, a child subquery and a GROUP BY,
  - the exact SQL the engine compiles for each query, run directly on sqlite3 in this process
    (same connection settings as the server), and the ratio HTTP / raw.
The last line printed is one JSON object with every figure.

Run: .venv/bin/python benchmarks/sandbox.py [--cases 60000] [--seconds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import aiohttp

from crmsim.sandbox.ids import make_id
from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.soql import SoqlEngine
from crmsim.sandbox.store import Store

API = "/services/data/v62.0"
TODAY = date(2024, 6, 14)


def build_database(path: Path, n_cases: int, seed: int = 7) -> dict[str, list[str]]:
    rng = random.Random(seed)
    schema = org_schema("b2b")
    store = Store.create(path, schema, today=TODAY)
    try:
        users = [make_id("005", i) for i in range(1, 41)]
        store.insert_rows(schema.objects["Profile"], [{"Id": make_id("00e", 1), "Name": "Standard User"}])
        store.insert_rows(
            schema.objects["User"],
            [
                {
                    "Id": u,
                    "FirstName": f"Agent{i}",
                    "LastName": f"Number{i}",
                    "Name": f"Agent{i} Number{i}",
                    "Alias": f"a{i}",
                    "Email": f"a{i}@example.com",
                    "Username": f"a{i}@example.com",
                    "ProfileId": make_id("00e", 1),
                    "EmailEncodingKey": "UTF-8",
                    "LanguageLocaleKey": "en_US",
                    "LocaleSidKey": "en_US",
                    "TimeZoneSidKey": "America/New_York",
                    "CreatedDate": "2022-01-01 00:00:00",
                }
                for i, u in enumerate(users)
            ],
        )
        accounts = [make_id("001", i) for i in range(1, 2001)]
        store.insert_rows(
            schema.objects["Account"],
            [
                {
                    "Id": a,
                    "Name": f"Account {i:04d}",
                    "Industry": rng.choice(["Energy", "Finance", "Retail"]),
                    "OwnerId": rng.choice(users),
                    "ShippingState": rng.choice(["CA", "NY", "TX", "MI"]),
                    "CreatedDate": "2022-02-01 00:00:00",
                }
                for i, a in enumerate(accounts)
            ],
        )
        cases = [make_id("500", i) for i in range(1, n_cases + 1)]
        statuses = ["New", "Working", "Escalated", "Closed"]
        rows = []
        for i, c in enumerate(cases):
            created = TODAY - timedelta(days=rng.randrange(0, 700))
            rows.append(
                {
                    "Id": c,
                    "Subject": f"Case {i} about a failing device",
                    "Status": rng.choice(statuses),
                    "Priority": rng.choice(["High", "Medium", "Low"]),
                    "OwnerId": rng.choice(users),
                    "AccountId": rng.choice(accounts),
                    "CreatedDate": f"{created.isoformat()} 09:00:00",
                }
            )
        store.insert_rows(schema.objects["Case"], rows)
    finally:
        store.close()
    return {"users": users, "accounts": accounts, "cases": cases}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(session: aiohttp.ClientSession, base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"sandbox exited early with code {proc.returncode}")
        try:
            async with session.get(f"{base}/services/data/") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("sandbox did not start within 30 s")


async def token(session: aiohttp.ClientSession, base: str) -> str:
    form = {
        "grant_type": "password",
        "client_id": "crmsim",
        "client_secret": "crmsim",
        "username": "admin@crmsim.local",
        "password": "crmsim",
    }
    async with session.post(f"{base}/services/oauth2/token", data=form) as resp:
        body = await resp.json()
        return str(body["access_token"])


async def run_query(session: aiohttp.ClientSession, base: str, soql: str) -> float:
    start = time.perf_counter()
    async with session.get(f"{base}{API}/query?q={quote(soql)}") as resp:
        await resp.read()
        if resp.status != 200:
            raise SystemExit(f"query failed ({resp.status}): {soql}: {await resp.text()}")
    return time.perf_counter() - start


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def throughput(
    session: aiohttp.ClientSession, base: str, ids: list[str], seconds: float, concurrency: int
) -> tuple[float, list[float]]:
    rng = random.Random(1)
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker() -> None:
        while time.monotonic() < stop:
            soql = f"SELECT Id, Subject, Status FROM Case WHERE Id = '{rng.choice(ids)}'"
            latencies.append(await run_query(session, base, soql))

    start = time.perf_counter()
    async with asyncio.TaskGroup() as tg:
        for _ in range(concurrency):
            tg.create_task(worker())
    return len(latencies) / (time.perf_counter() - start), latencies


def raw_timings(store: Store, soql: str, reps: int) -> list[float]:
    """Time the exact SQL the engine compiles for ``soql``, run directly on a store connection."""
    plan = SoqlEngine(store).plan(soql)
    conn = store.reader()
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        conn.execute(plan.sql, plan.params).fetchall()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="crmsim-bench-"))
    db = workdir / "b2b.sqlite"
    t0 = time.perf_counter()
    data = build_database(db, args.cases)
    build_s = time.perf_counter() - t0
    print(f"built {args.cases} cases in {build_s:.2f} s at {db}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crmsim.cli",
            "--log-level",
            "warning",
            "sandbox",
            "serve",
            "--org",
            "b2b",
            "--db",
            str(db),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        results, qps = asyncio.run(measure(args, base, proc, data, db))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    summary = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "date": date.today().isoformat(),
        "cases": args.cases,
        "build_s": round(build_s, 2),
        "id_lookup_qps": round(qps, 1),
        "concurrency": args.concurrency,
        "aggregate_overhead_ratio": round(results["group_by_aggregate"]["ratio_p50"], 2),
        **{f"{k}_{m}": round(v, 3) for k, r in results.items() for m, v in r.items()},
    }
    print(json.dumps(summary))


async def measure(
    args: argparse.Namespace, base: str, proc: subprocess.Popen[bytes], data: dict[str, list[str]], db: Path
) -> tuple[dict[str, dict[str, float]], float]:
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_ready(session, base, proc)
        session.headers["Authorization"] = f"Bearer {await token(session, base)}"
        account = data["accounts"][5]
        queries = {
            "id_lookup": f"SELECT Id, Subject, Status FROM Case WHERE Id = '{data['cases'][123]}'",
            "parent_path_filter": "SELECT Id, Subject FROM Case WHERE Account.Name = 'Account 0042' "
            "AND Owner.Name != null",
            "child_subquery": f"SELECT Id, Name, (SELECT Id, Subject FROM Cases) FROM Account WHERE Id = '{account}'",
            "group_by_aggregate": "SELECT OwnerId, Status, COUNT(Id) FROM Case GROUP BY OwnerId, Status",
        }
        store = Store.open(db, org_schema("b2b"))
        for soql in queries.values():  # warm caches on both sides
            await run_query(session, base, soql)
        results: dict[str, dict[str, float]] = {}
        for name, soql in queries.items():
            reps = args.reps if name != "group_by_aggregate" else max(20, args.reps // 5)
            http = [await run_query(session, base, soql) for _ in range(reps)]
            raw = raw_timings(store, soql, reps)
            results[name] = {
                "http_p50_ms": statistics.median(http) * 1000,
                "http_p99_ms": pct(http, 0.99) * 1000,
                "raw_p50_ms": statistics.median(raw) * 1000,
                "ratio_p50": statistics.median(http) / statistics.median(raw),
            }
            r = results[name]
            print(
                f"{name:20s} http p50 {r['http_p50_ms']:7.2f} ms  p99 {r['http_p99_ms']:7.2f} ms  "
                f"raw p50 {r['raw_p50_ms']:7.3f} ms  ratio {r['ratio_p50']:6.1f}x"
            )
        qps, lat = await throughput(session, base, data["cases"], args.seconds, args.concurrency)
        print(
            f"id lookups: {qps:.0f}/s with {args.concurrency} concurrent clients "
            f"(p50 {statistics.median(lat) * 1000:.2f} ms, p99 {pct(lat, 0.99) * 1000:.2f} ms)"
        )
    store.close()
    return results, qps


if __name__ == "__main__":
    main()
