"""Data generator speed and memory: both orgs at scale 1.0 and 5.0, written to SQLite.

Each (org, scale) runs in a fresh subprocess so that its peak memory (max RSS) is its own.
Targets (issue 4): each org at scale 1.0 in <= 10 s, memory <= 1 GB. Last line: one JSON object.

Run: .venv/bin/python benchmarks/seed.py [--scales 1.0 5.0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

CHILD = """
import json, resource, sys, time
from crmsim.data import write_org
org, scale, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
store = write_org(path, org, seed=0, scale=scale)
store.close()
elapsed = time.perf_counter() - start
import sqlite3
conn = sqlite3.connect(path)
from crmsim.sandbox.schema import org_schema
records = sum(conn.execute(f'SELECT COUNT(*) FROM "{o}"').fetchone()[0] for o in org_schema(org).objects)
conn.close()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"org": org, "scale": scale, "seconds": elapsed, "records": records, "peak_mb": peak_mb}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 5.0])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="crmsim-seed-bench-") as tmp:
        for scale in args.scales:
            for org in ("b2b", "b2c"):
                path = Path(tmp) / f"{org}-{scale}.sqlite"
                run = subprocess.run([sys.executable, "-c", CHILD, org, str(scale), str(path)],
                                     capture_output=True, text=True, check=True)
                result = json.loads(run.stdout.strip().splitlines()[-1])
                result["records_per_s"] = result["records"] / result["seconds"]
                results.append(result)
                print(f"{org} scale {scale:g}: {result['records']:,} records in {result['seconds']:.2f} s "
                      f"({result['records_per_s']:,.0f} records/s), peak {result['peak_mb']:.0f} MB")
    summary = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "date": date.today().isoformat(),
        "runs": [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()} for r in results],
        "max_seconds_scale_1": max((r["seconds"] for r in results if r["scale"] == 1.0), default=None),
        "max_peak_mb_scale_1": max((r["peak_mb"] for r in results if r["scale"] == 1.0), default=None),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
