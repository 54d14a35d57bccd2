"""Task generation and reference solving: tasks per second for both orgs.

Generates tasks (default 100 per type, i.e. about 2,200 per org when the data supports it) from a
generated org at scale 1.0, then solves every one with its reference solver through a sandbox served
in this process over loopback HTTP, scoring each answer. Prints time per task for generation and
solving and the solve rate. Last line: one JSON object.

Run: .venv/bin/python benchmarks/tasks.py [--per-type 100] [--scale 1.0] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from crmsim.data import write_org
from crmsim.judge import score
from crmsim.logs import configure_logging
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.app import create_app
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.tasks import Task
from crmsim.tasks.generators import generate_tasks
from crmsim.tasks.solvers import solve


async def solve_all(db: Path, tasks: list[Task], concurrency: int) -> tuple[float, list[str]]:
    store = open_store(db)
    failures: list[str] = []
    try:
        async with serve_sandbox(create_app(store)) as url:
            config = SalesforceConfig(instance_url=url, max_concurrency=concurrency)
            async with SalesforceClient(config) as sf:
                limiter = asyncio.Semaphore(concurrency)

                async def one(task: Task) -> None:
                    async with limiter:
                        response, _ = await solve(task, sf)
                    if score(task, response).value < 1.0:
                        failures.append(f"{task.id}: expected {task.answer}, got {response[:120]!r}")

                start = time.perf_counter()
                async with asyncio.TaskGroup() as tg:
                    for task in tasks:
                        tg.create_task(one(task))
                return time.perf_counter() - start, failures
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-type", type=int, default=100)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    configure_logging(level="warning")
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="crmsim-tasks-bench-") as tmp:
        for org in ("b2b", "b2c"):
            db = Path(tmp) / f"{org}.sqlite"
            write_org(db, org, seed=0, scale=args.scale).close()
            start = time.perf_counter()
            tasks = generate_tasks(db, per_type=args.per_type, seed=0)
            gen_s = time.perf_counter() - start
            solve_s, failures = asyncio.run(solve_all(db, tasks, args.concurrency))
            per_type = Counter(task.task_type.value for task in tasks)
            run = {
                "org": org,
                "tasks": len(tasks),
                "types": len(per_type),
                "generate_s": round(gen_s, 2),
                "generate_ms_per_task": round(gen_s / max(len(tasks), 1) * 1000, 3),
                "solve_s": round(solve_s, 2),
                "solve_ms_per_task": round(solve_s / max(len(tasks), 1) * 1000, 2),
                "solved": len(tasks) - len(failures),
                "fewest_per_type": min(per_type.values(), default=0),
            }
            runs.append(run)
            print(
                f"{org}: {len(tasks)} tasks of {len(per_type)} types; generated in {gen_s:.2f} s "
                f"({run['generate_ms_per_task']} ms/task); solved {run['solved']}/{len(tasks)} in {solve_s:.2f} s "
                f"({run['solve_ms_per_task']} ms/task, {args.concurrency} at a time)"
            )
            for failure in failures[:10]:
                print("  FAILED", failure)
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
                "date": date.today().isoformat(),
                "scale": args.scale,
                "per_type": args.per_type,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
